import type { EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import { query } from '../codes/sql.ts';
import { isUniqueViolation } from '../shared/db.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { Subscriber } from './subscriber.entity.ts';

/** Plan name → monthly question quota (config PLANS). */
export type Plans = Record<string, number>;

const email = z.email();
const domain = z.string().regex(/^@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/);

/**
 * Normalise and validate a subscription pattern: an email address or `@domain`, lower-cased.
 * @throws ValidationError for anything else.
 */
export function normalizePattern(input: string): string {
  const pattern = input.trim().toLowerCase();
  if (pattern.startsWith('@') ? domain.safeParse(pattern).success : email.safeParse(pattern).success) return pattern;
  throw new ValidationError(`not an email address or @domain: ${JSON.stringify(input)}`);
}

/** @throws ValidationError when the plan is not one of the configured plans. */
export function assertPlan(plan: string, plans: Plans): string {
  const name = plan.trim().toLowerCase();
  if (!Object.hasOwn(plans, name)) {
    throw new ValidationError(`unknown plan ${JSON.stringify(plan)}; plans are: ${Object.keys(plans).join(', ')}`);
  }
  return name;
}

/**
 * Add a subscription. Adding a pattern that was removed reactivates it with the new plan.
 * @throws ValidationError on a bad pattern or plan; ConflictError when it is already active.
 */
export async function addSubscriber(em: EntityManager, pattern: string, plan: string, plans: Plans): Promise<Subscriber> {
  const p = normalizePattern(pattern);
  const name = assertPlan(plan, plans);
  const existing = await em.findOne(Subscriber, { pattern: p });
  if (existing?.active) throw new ConflictError(`${p} is already a subscriber (plan ${existing.plan})`);
  if (existing) {
    existing.active = true;
    existing.plan = name;
    await em.flush();
    return existing;
  }
  const subscriber = em.create(Subscriber, { pattern: p, plan: name });
  try {
    await em.flush();
  } catch (err) {
    // Two admins adding the same pattern at once: the loser is told, not shown a driver error.
    if (isUniqueViolation(err)) throw new ConflictError(`${p} is already a subscriber`);
    throw err;
  }
  return subscriber;
}

/** Active subscriptions (all, with `includeInactive`), by pattern. */
export async function listSubscribers(em: EntityManager, options: { includeInactive?: boolean } = {}): Promise<Subscriber[]> {
  return em.find(Subscriber, options.includeInactive ? {} : { active: true }, { orderBy: { pattern: 'asc' } });
}

async function findActive(em: EntityManager, pattern: string): Promise<Subscriber> {
  const p = normalizePattern(pattern);
  const subscriber = await em.findOne(Subscriber, { pattern: p, active: true });
  if (!subscriber) throw new NotFoundError(`no subscriber ${p}`);
  return subscriber;
}

/** Move an active subscription to another plan. @throws ValidationError, NotFoundError. */
export async function setPlan(em: EntityManager, pattern: string, plan: string, plans: Plans): Promise<Subscriber> {
  const name = assertPlan(plan, plans);
  const subscriber = await findActive(em, pattern);
  subscriber.plan = name;
  await em.flush();
  return subscriber;
}

/** Deactivate a subscription (the row stays: past cases point at it). @throws NotFoundError. */
export async function removeSubscriber(em: EntityManager, pattern: string): Promise<Subscriber> {
  const subscriber = await findActive(em, pattern);
  subscriber.active = false;
  await em.flush();
  return subscriber;
}

/**
 * The active subscription a sender's address counts against: the exact address wins over its
 * domain (`@clinic.example`). Only the address's own domain matches, not parent domains.
 * Returns null for an address that is not well formed.
 */
export async function findSubscriberFor(em: EntityManager, address: string): Promise<SubscriberRef | null> {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1) return null;
  // Plain fields by one raw statement: the intake of every new question reads this, and an ORM
  // find costs several times the query in CPU.
  const rows = await query(em, 'select id, pattern, plan from subscriber where pattern in (?, ?) and active = true', [a, a.slice(at)]);
  const row = rows.find((r) => r.pattern === a) ?? rows[0];
  return row ? { id: Number(row.id), pattern: String(row.pattern), plan: String(row.plan) } : null;
}

/** What an intake decision (and a usage report) needs of a subscriber. */
export type SubscriberRef = Pick<Subscriber, 'id' | 'pattern' | 'plan'>;

/** The calendar month (UTC) around `now`: `[start, end)`. */
export function monthBounds(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

/** `YYYY-MM-DD` on which the quota starts afresh: the first day of next month (UTC), for the over-quota notice. */
export function quotaResetsOn(now: Date): string {
  return monthBounds(now).end.toISOString().slice(0, 10);
}
