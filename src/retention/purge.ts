import type { EntityManager } from '@mikro-orm/core';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { dialectOf, runSql } from '../crypto/columns.ts';

/** What the retention settings say: days, or null for "keep forever". */
export interface RetentionPolicy {
  /** RETAIN_RAW_DAYS: raw sources older than this are purged (default 90). */
  rawDays: number | null;
  /** RETAIN_CASE_DAYS: content of cases closed longer than this is purged (default off). */
  caseDays: number | null;
}

export interface PurgeOptions {
  dryRun?: boolean;
  now?: Date;
  /** Rows (raw sources) or cases per transaction (default 500 / 100). */
  batchSize?: number;
  /** Who runs it, for the audit entry (`cli`, `worker`). */
  actor?: string;
}

export interface PurgeResult {
  dryRun: boolean;
  rawCutoff: string | null;
  caseCutoff: string | null;
  /** Raw sources set to NULL (or that would be, in a dry run), by the raw-age rule. */
  rawPurged: number;
  /** Cases whose content was emptied (or would be). */
  casesPurged: number;
  caseIds: number[];
}

const DAY_MS = 86_400_000;
/** Outbox rows still on their way out keep their text (a retry needs it). */
const OUTBOX_FINAL = `('sent', 'failed', 'bounced', 'unknown')`;

/** Dates as each driver stores them (SQLite: epoch milliseconds). */
function dbTime(em: EntityManager, at: Date): Date | number {
  return dialectOf(em.getPlatform()) === 'sqlite' ? at.getTime() : at;
}

/** Raw sources past the cut-off: anything but `stored` (a message not parsed yet keeps its source). */
const RAW_WHERE = `raw is not null and received_at < ? and state <> 'stored'`;
/** Closed cases past the cut-off whose content is still there. */
const CASE_WHERE = `state = 'closed' and updated_at < ? and content_purged_at is null`;

async function count(em: EntityManager, table: string, where: string, params: unknown[]): Promise<number> {
  const [row] = await runSql<{ n: number | string }>(em, `select count(*) as n from ${table} where ${where}`, params);
  return Number(row.n);
}

async function purgeRaw(em: EntityManager, cutoff: Date, now: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await em.fork().transactional(async (tx) => {
      const ids = await runSql<{ id: number | string }>(tx, `select id from inbound_message where ${RAW_WHERE} order by id limit ?`, [dbTime(tx, cutoff), batchSize]);
      if (ids.length === 0) return 0;
      const list = ids.map((r) => Number(r.id));
      await runSql(tx, `update inbound_message set raw = null, raw_purged_at = ? where id in (${list.map(() => '?').join(', ')}) and raw is not null`, [dbTime(tx, now), ...list]);
      return list.length;
    });
    if (done === 0) return total;
    total += done;
  }
}

/** Empty the content of some cases; keep ids, states, times, codes, addresses and the audit trail. */
async function purgeCaseContent(tx: EntityManager, caseIds: number[], now: Date): Promise<void> {
  const inList = `(${caseIds.map(() => '?').join(', ')})`;
  const evidence = dialectOf(tx.getPlatform()) === 'postgresql' ? `'{}'::jsonb` : `'{}'`;
  await runSql(tx, `update case_message set subject = '', text_new = '', text_full = '', html = null where case_id in ${inList}`, caseIds);
  await runSql(tx, `update draft set subject = '', body_text = '', body_html = '', reject_reason = null, evidence = ${evidence} where case_id in ${inList}`, caseIds);
  await runSql(tx, `update outbox set subject = '', text = '', html = null where case_id in ${inList} and state in ${OUTBOX_FINAL}`, caseIds);
  await runSql(tx, `delete from case_note where case_id in ${inList}`, caseIds);
  await runSql(tx, `update inbound_message set raw = null, raw_purged_at = ? where case_id in ${inList} and raw is not null`, [dbTime(tx, now), ...caseIds]);
  await runSql(tx, `update cases set subject = '', content_purged_at = ? where id in ${inList}`, [dbTime(tx, now), ...caseIds]);
}

async function purgeCases(em: EntityManager, cutoff: Date, now: Date, batchSize: number): Promise<number[]> {
  const all: number[] = [];
  for (;;) {
    const ids = await em.fork().transactional(async (tx) => {
      const rows = await runSql<{ id: number | string }>(tx, `select id from cases where ${CASE_WHERE} order by id limit ?`, [dbTime(tx, cutoff), batchSize]);
      const list = rows.map((r) => Number(r.id));
      if (list.length > 0) await purgeCaseContent(tx, list, now);
      return list;
    });
    if (ids.length === 0) return all;
    all.push(...ids);
  }
}

/**
 * `casedesk purge` and the worker's daily run: apply the retention policy. Purged content is
 * gone from the rows (NULL, or '' where the column is NOT NULL; notes deleted), not flagged.
 * Idempotent and resumable: each batch selects what is still there, so a second run (or a second
 * worker at the same time) purges nothing more. Each real run appends one audit entry
 * `retention.purge` with the cut-offs and counts (ids of cases, never content).
 */
export async function purge(em: EntityManager, policy: RetentionPolicy, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const rawCutoff = policy.rawDays == null ? null : new Date(now.getTime() - policy.rawDays * DAY_MS);
  const caseCutoff = policy.caseDays == null ? null : new Date(now.getTime() - policy.caseDays * DAY_MS);
  const result: PurgeResult = { dryRun: options.dryRun ?? false, rawCutoff: rawCutoff?.toISOString() ?? null, caseCutoff: caseCutoff?.toISOString() ?? null, rawPurged: 0, casesPurged: 0, caseIds: [] };
  if (options.dryRun) {
    if (rawCutoff) result.rawPurged = await count(em, 'inbound_message', RAW_WHERE, [dbTime(em, rawCutoff)]);
    if (caseCutoff) {
      const rows = await runSql<{ id: number | string }>(em, `select id from cases where ${CASE_WHERE} order by id`, [dbTime(em, caseCutoff)]);
      result.caseIds = rows.map((r) => Number(r.id));
      result.casesPurged = result.caseIds.length;
    }
    return result;
  }
  if (caseCutoff) result.caseIds = await purgeCases(em, caseCutoff, now, Math.min(options.batchSize ?? 100, 500));
  result.casesPurged = result.caseIds.length;
  if (rawCutoff) result.rawPurged = await purgeRaw(em, rawCutoff, now, options.batchSize ?? 500);
  await appendAudit(em.fork(), {
    actor: options.actor ?? 'cli',
    action: 'retention.purge',
    details: { rawCutoff: result.rawCutoff, caseCutoff: result.caseCutoff, rawPurged: result.rawPurged, casesPurged: result.casesPurged, caseIds: result.caseIds.slice(0, 1000) },
  });
  return result;
}
