import type { EntityManager } from '@mikro-orm/core';
import { CaseMessage } from '../src/cases/case.entity.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import { Outbox } from '../src/cases/outbox.entity.ts';
import type { Enqueuer } from '../src/shared/queues.ts';
import { InboundMessage } from '../src/ingest/ingest.entity.ts';
import { unscannedMessages } from './scan.worker.ts';

/**
 * Start-up sweep: re-queue every row whose stage never finished — stored messages not yet
 * parsed, attachments not scanned, questions that want a draft and have none, outbox rows still queued. Redis may have
 * lost jobs (restart without persistence) or a process may have died between a database write
 * and the queue write; deterministic job ids keep this from doubling anything.
 */
export async function sweepUnfinished(em: EntityManager, enqueuer: Enqueuer): Promise<{ parse: number; scan: number; draft: number; send: number }> {
  const stored = await em.find(InboundMessage, { state: 'stored' }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (const row of stored) await enqueuer.enqueueParse(row.id);

  // Attachments never scanned, or left not scanned while clamd was down: scan them (their drafts follow).
  const unscanned = await unscannedMessages(em, ['pending-scan', 'not-scanned']);
  for (const id of unscanned) await enqueuer.enqueueScan(id);

  const wanting = await em.find(CaseMessage, { direction: 'in', wantsDraft: true }, { fields: ['id'], orderBy: { id: 'asc' } });
  const drafted = new Set(
    (await em.find(Draft, { caseMessageId: { $in: wanting.map((w) => w.id) } }, { fields: ['caseMessageId'] })).map((d) => d.caseMessageId),
  );
  const missing = wanting.filter((w) => !drafted.has(w.id));
  for (const row of missing) await enqueuer.enqueueDraft(row.id);

  const queued = await em.find(Outbox, { state: 'queued' }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (const row of queued) await enqueuer.enqueueSend(row.id);
  return { parse: stored.length, scan: unscanned.length, draft: missing.length, send: queued.length };
}
