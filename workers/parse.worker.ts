import { fileInbound, type FileDeps } from '../src/cases/file-inbound.ts';
import { InboundMessage } from '../src/ingest/ingest.entity.ts';
import { safeErrorSummary } from '../src/shared/log-safe-error.ts';
import type { Queues } from '../src/shared/queues.ts';
import { createFilingTurn } from './filing-turn.ts';
import { createStageWorker, type WorkerContext } from './worker-factory.ts';

/**
 * parse: stored message → case message (then draft and notices), or ignored / duplicate / quarantined.
 * A message that opens a case takes its turn after the earlier messages being parsed beside it
 * (./filing-turn.ts), so case numbers follow arrival order.
 */
export function startParseWorker(ctx: WorkerContext, deps: Omit<FileDeps, 'em' | 'log' | 'awaitTurn'>, enqueuer: Queues) {
  const turn = createFilingTurn(ctx, enqueuer.queues.parse);
  const worker = createStageWorker(
    'parse',
    ctx,
    async ({ inboundId }, { em, log }) => {
      const awaitTurn: FileDeps['awaitTurn'] = async (lookup, inbound) => {
        const since = Date.now();
        const waited = await turn.wait(lookup, inbound);
        if (waited) log.info({ inboundId: inbound.id, waitedMs: Date.now() - since }, 'waited for earlier messages to file');
        return waited;
      };
      turn.started(inboundId);
      let result;
      try {
        result = await fileInbound({ ...deps, em, log, awaitTurn }, { inboundId });
      } finally {
        turn.ended(inboundId);
      }
      if (result.outcome === 'case-message') {
        for (const outboxId of result.outboxIds) await enqueuer.enqueueSend(outboxId);
        // Attachments are scanned (and read) first; the scan stage queues the draft after them.
        if (result.attachmentsToScan > 0) await enqueuer.enqueueScan(result.caseMessageId);
        else if (result.wantsDraft) await enqueuer.enqueueDraft(result.caseMessageId);
      }
      return result;
    },
    // A message that keeps failing is quarantined with the error, never left silently behind.
    async ({ inboundId }, err, em) => {
      await em.nativeUpdate(InboundMessage, { id: inboundId, state: 'stored' }, { state: 'quarantined', kind: 'quarantine', reasons: ['parse-failed'], error: `parse failed: ${safeErrorSummary(err)}`.slice(0, 2000) });
    },
  );
  worker.on('closed', () => void turn.close().catch(() => undefined));
  return worker;
}
