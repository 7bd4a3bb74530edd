import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { OutboxKind, OutboxState } from '../../cases/outbox.entity.ts';
import { listOutbox, markUnknownSent, OUTBOX_KINDS, OUTBOX_STATES, resendUnknown, type OutboxRow } from '../../review/outbox.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { printJson, withDatabase } from '../context.ts';

function oneOf<T extends string>(what: string, allowed: readonly T[], value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(`--${what} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function outboxId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`outbox id must be a positive whole number; got "${value}"`);
  return id;
}

/** Aligned plain-text table: id, case, kind, state, attempts, last error (one line). */
export function formatOutboxTable(rows: OutboxRow[]): string {
  if (rows.length === 0) return 'no outgoing mail\n';
  const cells = rows.map((r) => [String(r.id), r.case ?? '-', r.kind, r.state + (r.decidable ? ' (decide)' : ''), String(r.attempts), r.updatedAt.slice(0, 19).replace('T', ' '), (r.lastError ?? '').replace(/\s+/g, ' ').slice(0, 100)]);
  const table = [['ID', 'CASE', 'KIND', 'STATE', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'], ...cells];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** Registers `casedesk outbox`: list every outgoing mail; resend or mark sent an `unknown` one. */
export function registerOutboxCommand(program: Command): void {
  const cmd = program.command('outbox').description('outgoing mail (replies and notices) and its delivery state');
  cmd.command('list')
    .description('list outgoing mail, newest first: case, kind, state, attempts, last error')
    .option('--state <state>', `only this state: ${OUTBOX_STATES.join('|')}`)
    .option('--kind <kind>', `only this kind: ${OUTBOX_KINDS.join('|')}`)
    .option('--limit <n>', 'at most this many rows', '200')
    .option('--json', 'one JSON array on one line')
    .action(async (opts: { state?: string; kind?: string; limit: string; json?: boolean }) => {
      const state = oneOf<OutboxState>('state', OUTBOX_STATES, opts.state);
      const kind = oneOf<OutboxKind>('kind', OUTBOX_KINDS, opts.kind);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new ValidationError(`--limit must be a positive whole number; got "${opts.limit}"`);
      await withDatabase(async ({ orm, config }) => {
        const decideAfterMs = config.sentCopyTo ? config.env.UNKNOWN_RESEND_MINUTES * 60_000 : 0;
        const rows = await listOutbox(orm.em.fork(), { state, kind, limit, decideAfterMs });
        if (opts.json) printJson(rows);
        else process.stdout.write(formatOutboxTable(rows));
      });
    });
  cmd.command('resend <id>')
    .description('an unknown mail did not arrive (checked with the recipient): queue it again')
    .option('--as <name>', 'who decides (audit log)')
    .action(async (id: string, opts: { as?: string }) => {
      await withDatabase(async ({ orm, config }) => {
        const row = await resendUnknown(orm.em.fork(), { outboxId: outboxId(id), actor: opts.as ?? userInfo().username });
        const redis = createRedis(config.env.REDIS_URL);
        const queues = createQueues(redis, config.env.QUEUE_PREFIX);
        try {
          await queues.forget('send', row.id);
          await queues.enqueueSend(row.id);
        } finally {
          await queues.close();
          redis.disconnect();
        }
        process.stdout.write(`outbox ${row.id} queued again\n`);
      });
    });
  cmd.command('mark-sent <id>')
    .description('an unknown mail did arrive (checked with the recipient): record it as sent')
    .option('--as <name>', 'who decides (audit log)')
    .action(async (id: string, opts: { as?: string }) => {
      await withDatabase(async ({ orm, config }) => {
        const row = await markUnknownSent(orm.em.fork(), { outboxId: outboxId(id), actor: opts.as ?? userInfo().username, from: { name: config.env.MAIL_FROM_NAME, address: config.env.MAIL_FROM } });
        process.stdout.write(`outbox ${row.id} marked sent\n`);
      });
    });
}
