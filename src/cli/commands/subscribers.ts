import type { Command } from 'commander';
import type { EntityManager } from '@mikro-orm/core';
import { printJson, withDatabase } from '../context.ts';
import { NotFoundError, ValidationError } from '../../shared/errors.ts';
import {
  addSubscriber, findSubscriberFor, listSubscribers, monthBounds, normalizePattern, removeSubscriber, setPlan,
  type Plans,
} from '../../subscribers/subscribers.ts';
import type { Subscriber } from '../../subscribers/subscriber.entity.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { monthlyUsage } from '../../cases/quota.ts';

export interface SubscriberRow {
  pattern: string;
  plan: string;
  quota: number | null;
  usedThisMonth: number;
  active: boolean;
  createdAt: string;
}

export interface UsageReport {
  address: string;
  pattern: string;
  plan: string;
  quota: number | null;
  used: number;
  remaining: number | null;
  month: string;
}

function quotaOf(plans: Plans, plan: string): number | null {
  return Object.hasOwn(plans, plan) ? plans[plan] : null;
}

async function rowOf(em: EntityManager, s: Subscriber, plans: Plans, now: Date): Promise<SubscriberRow> {
  return { pattern: s.pattern, plan: s.plan, quota: quotaOf(plans, s.plan), usedThisMonth: await monthlyUsage(em, s.id, now), active: s.active, createdAt: s.createdAt.toISOString() };
}

/** The `usage` report of an address (or an `@domain` subscription itself). */
export async function usageReport(em: EntityManager, address: string, plans: Plans, now: Date): Promise<UsageReport> {
  const subscriber = address.trim().startsWith('@')
    ? (await listSubscribers(em)).find((s) => s.pattern === normalizePattern(address))
    : await findSubscriberFor(em, normalizePattern(address));
  if (!subscriber) throw new NotFoundError(`${address.trim()} is not covered by any subscription`);
  const used = await monthlyUsage(em, subscriber.id, now);
  const quota = quotaOf(plans, subscriber.plan);
  return {
    address: address.trim().toLowerCase(), pattern: subscriber.pattern, plan: subscriber.plan, quota, used,
    remaining: quota === null ? null : Math.max(0, quota - used), month: monthBounds(now).start.toISOString().slice(0, 7),
  };
}

/** Aligned plain-text table of subscriber rows. */
export function formatSubscriberTable(rows: SubscriberRow[]): string {
  if (rows.length === 0) return 'no subscribers\n';
  const table = [['PATTERN', 'PLAN', 'QUOTA', 'USED', 'SINCE'], ...rows.map((r) => [r.pattern, r.plan, r.quota === null ? '?' : String(r.quota), String(r.usedThisMonth), r.createdAt.slice(0, 10)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Registers `casedesk subscribers`: add, list, set-plan, remove, usage. */
export function registerSubscribersCommand(program: Command): void {
  const cmd = program.command('subscribers').description('manage subscribers (an email address or a whole @domain) and their plans');

  cmd.command('add <pattern>')
    .description('add a subscriber: an email address or @domain')
    .requiredOption('--plan <plan>', 'plan name (see config PLANS)')
    .action(async (pattern: string, opts: { plan: string }) => {
      await withDatabase(async ({ config, orm }) => {
        const s = await addSubscriber(orm.em.fork(), pattern, opts.plan, config.env.PLANS);
        out(`added ${s.pattern} on plan ${s.plan} (${config.env.PLANS[s.plan]} questions a month)`);
      });
    });

  cmd.command('list')
    .description('list active subscribers with their usage this month')
    .option('--json', 'print JSON')
    .option('--all', 'include removed subscribers')
    .action(async (opts: { json?: boolean; all?: boolean }) => {
      await withDatabase(async ({ config, orm }) => {
        const em = orm.em.fork();
        const now = new Date();
        const rows: SubscriberRow[] = [];
        for (const s of await listSubscribers(em, { includeInactive: opts.all })) rows.push(await rowOf(em, s, config.env.PLANS, now));
        await appendAudit(orm.em.fork(), { actor: 'cli', action: 'admin.read', details: { what: 'subscribers', rows: rows.length } });
        if (opts.json) printJson(rows);
        else process.stdout.write(formatSubscriberTable(rows));
      });
    });

  cmd.command('set-plan <pattern> [plan]')
    .description('move a subscriber to another plan')
    .option('--plan <plan>', 'plan name (instead of the positional argument)')
    .action(async (pattern: string, plan: string | undefined, opts: { plan?: string }) => {
      const name = plan ?? opts.plan;
      if (!name) throw new ValidationError('set-plan needs a plan: set-plan <pattern> <plan> or --plan <plan>');
      if (plan && opts.plan && plan !== opts.plan) throw new ValidationError(`two different plans given: ${plan} and ${opts.plan}`);
      await withDatabase(async ({ config, orm }) => {
        const s = await setPlan(orm.em.fork(), pattern, name, config.env.PLANS);
        out(`${s.pattern} is now on plan ${s.plan}`);
      });
    });

  cmd.command('remove <pattern>')
    .description('remove a subscriber (past cases keep their history)')
    .action(async (pattern: string) => {
      await withDatabase(async ({ orm }) => {
        const s = await removeSubscriber(orm.em.fork(), pattern);
        out(`removed ${s.pattern}`);
      });
    });

  cmd.command('usage <address>')
    .description("questions asked this calendar month (UTC) against an address's subscription")
    .option('--json', 'print JSON')
    .action(async (address: string, opts: { json?: boolean }) => {
      await withDatabase(async ({ config, orm }) => {
        const r = await usageReport(orm.em.fork(), address, config.env.PLANS, new Date());
        if (opts.json) printJson(r);
        else out(`${r.address}: subscription ${r.pattern}, plan ${r.plan}, ${r.used} of ${r.quota ?? '?'} questions used in ${r.month}, ${r.remaining ?? '?'} remaining`);
      });
    });
}
