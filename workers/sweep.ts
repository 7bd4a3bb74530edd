import type { EntityManager } from '@mikro-orm/core';
import { Outbox } from '../src/cases/outbox.entity.ts';
import type { Enqueuer } from '../src/shared/queues.ts';
import type { Logger } from '../src/shared/logger.ts';
import { logSafeError } from '../src/shared/log-safe-error.ts';
import { InboundMessage } from '../src/ingest/ingest.entity.ts';
import { unscannedMessages } from './scan.worker.ts';

/**
 * Questions that want a draft and have none: an anti-join on the partial index
 * `case_message_wants_draft_idx` (only inbound questions that want a draft) against the draft's
 * unique `case_message_id`, so neither the answered history nor the follow-ups and notices are
 * loaded into the process; both drivers plan it as an index scan with an index probe per row.
 */
const UNDRAFTED_SQL = `select cm.id as id from case_message cm
  where cm.direction = 'in' and cm.wants_draft = true
    and not exists (select 1 from draft d where d.case_message_id = cm.id)
  order by cm.id`;

/** Ids of the questions that want a draft and have none (see UNDRAFTED_SQL). */
export async function undraftedQuestions(em: EntityManager): Promise<number[]> {
  const rows = (await em.getConnection().execute(UNDRAFTED_SQL, [], 'all', em.getTransactionContext())) as Array<{ id: number | string }>;
  return rows.map((r) => Number(r.id));
}

/**
 * Start-up sweep: re-queue every row whose stage never finished — stored messages not yet
 * parsed, attachments not scanned, questions that want a draft and have none, outbox rows still queued. Redis may have
 * lost jobs (restart without persistence) or a process may have died between a database write
 * and the queue write; deterministic job ids keep this from doubling anything. Each query reads
 * only unfinished rows through an index: its cost follows the work left, not the history.
 */
export async function sweepUnfinished(em: EntityManager, enqueuer: Enqueuer): Promise<{ parse: number; scan: number; draft: number; send: number }> {
  const stored = await em.find(InboundMessage, { state: 'stored' }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (let i = 0; i < stored.length; i += 500) await enqueuer.enqueueParseMany(stored.slice(i, i + 500).map((row) => row.id));

  // Attachments never scanned, or left not scanned while clamd was down: scan them (their drafts follow).
  const unscanned = await unscannedMessages(em, ['pending-scan', 'not-scanned']);
  for (const id of unscanned) await enqueuer.enqueueScan(id);

  const missing = await undraftedQuestions(em);
  for (const id of missing) await enqueuer.enqueueDraft(id);

  const queued = await em.find(Outbox, { state: 'queued' }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (const row of queued) await enqueuer.enqueueSend(row.id);
  return { parse: stored.length, scan: unscanned.length, draft: missing.length, send: queued.length };
}

/** Pauses between attempts of the start-up sweep (ms): about 30 s in all. */
const START_SWEEP_RETRY_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];

/**
 * The start-up sweep, retried in process on a fresh EntityManager: a database connection
 * dropped or a Redis restart while a worker starts (the sweep is its first real query) is not a
 * reason to exit. The sweep is idempotent (jobs have fixed ids). Still failing after the last
 * pause: the error goes up.
 */
export async function sweepUnfinishedRetrying(em: () => EntityManager, enqueuer: Enqueuer, log: Logger, pauses: readonly number[] = START_SWEEP_RETRY_MS): Promise<{ parse: number; scan: number; draft: number; send: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sweepUnfinished(em(), enqueuer);
    } catch (err) {
      if (attempt >= pauses.length) throw err;
      log.warn({ attempt: attempt + 1, err: logSafeError(err) }, 'start-up sweep failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, pauses[attempt]));
    }
  }
}

export const LOST_SEND_ERROR = 'the send job was lost while the mail was being sent; check the recipient before resending';

/**
 * `sending` rows nobody is working on any more: claimed longer than `stuckAfterMs` ago and
 * without an active job (Redis lost it, or its attempts ran out). They become `unknown`: the
 * SMTP server may or may not have the mail, so a human (or its copy coming back) decides, never
 * a blind resend. A row whose job is still active is left to that job (which settles it).
 */
export async function settleLostSends(em: EntityManager, isSendActive: (outboxId: number) => Promise<boolean>, stuckAfterMs: number, now = new Date()): Promise<number[]> {
  const cutoff = new Date(now.getTime() - stuckAfterMs);
  const rows = await em.find(Outbox, { state: 'sending', updatedAt: { $lt: cutoff } }, { fields: ['id'], orderBy: { id: 'asc' } });
  const settled: number[] = [];
  for (const row of rows) {
    if (await isSendActive(row.id)) continue;
    const changed = await em.nativeUpdate(Outbox, { id: row.id, state: 'sending', updatedAt: { $lt: cutoff } }, { state: 'unknown', lastError: LOST_SEND_ERROR, updatedAt: now });
    if (changed === 1) settled.push(row.id);
  }
  return settled;
}
