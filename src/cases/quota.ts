import type { EntityManager } from '@mikro-orm/core';
import { findSubscriberFor, monthBounds, type Plans, type SubscriberRef } from '../subscribers/subscribers.ts';
import { Case } from './case.entity.ts';
import { lockIntake } from './intake-lock.ts';

/**
 * Quota: how many questions a subscriber's plan still allows this month. It counts cases, so it
 * lives with them; who is a subscriber and on which plan is src/subscribers/.
 */
export type QuotaDecision =
  | { kind: 'subscriber'; subscriber: SubscriberRef; plan: string; quota: number; used: number; remaining: number; over: boolean }
  | { kind: 'stranger' };

/**
 * Questions a subscriber asked this calendar month (UTC): cases opened against it. A follow-up
 * in an open case is not a new case, so it does not count.
 */
export async function monthlyUsage(em: EntityManager, subscriberId: number, now: Date): Promise<number> {
  const { start, end } = monthBounds(now);
  return em.count(Case, { subscriberId, openedAt: { $gte: start, $lt: end } });
}

/**
 * Whether a new question from `address` may open a case. Call it before opening the case (a
 * follow-up in an existing case does not come here): `over` is true when the month's quota is
 * already used up. Inside a transaction it holds the subscriber's intake lock (./intake-lock.ts)
 * until the transaction ends, so the case it admits is counted before the next decision. A subscriber on a plan no longer in config gets quota 0, so it is over.
 */
export async function quotaDecision(em: EntityManager, address: string, now: Date, plans: Plans): Promise<QuotaDecision> {
  const subscriber = await findSubscriberFor(em, address);
  if (!subscriber) return { kind: 'stranger' };
  // Count only once no other filing transaction can be deciding for this subscriber.
  await lockIntake(em, 'subscriber', subscriber.id);
  return quotaOf(subscriber, await monthlyUsage(em, subscriber.id, now), plans);
}

/** The decision for a subscriber who has used `used` questions this month. */
export function quotaOf(subscriber: SubscriberRef, used: number, plans: Plans): QuotaDecision {
  const quota = Object.hasOwn(plans, subscriber.plan) ? plans[subscriber.plan] : 0;
  return { kind: 'subscriber', subscriber, plan: subscriber.plan, quota, used, remaining: Math.max(0, quota - used), over: used >= quota };
}
