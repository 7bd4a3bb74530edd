import { Draft } from '../src/drafts/draft.entity.ts';
import { Outbox } from '../src/cases/outbox.entity.ts';
import { safeErrorSummary } from '../src/shared/log-safe-error.ts';
import { sendOutbox, type SendDeps } from '../src/send/send-stage.ts';
import { createStageWorker, type WorkerContext } from './worker-factory.ts';

/** send: outbox row → one mail over SMTP. */
export function startSendWorker(ctx: WorkerContext, deps: Omit<SendDeps, 'em' | 'log'>) {
  return createStageWorker(
    'send',
    ctx,
    async ({ outboxId }, { em, log, finalAttempt }) => sendOutbox({ ...deps, em, log }, { outboxId, finalAttempt }),
    async ({ outboxId }, err, em) => {
      // Attempts used up while the row was back in `queued`: record the last error for the review page.
      const changed = await em.nativeUpdate(Outbox, { id: outboxId, state: 'queued' }, { state: 'failed', lastError: safeErrorSummary(err).slice(0, 2000) });
      if (changed === 1) {
        const row = await em.findOne(Outbox, { id: outboxId }, { fields: ['draftId'] });
        if (row?.draftId) await em.nativeUpdate(Draft, { id: row.draftId, state: 'approved' }, { state: 'failed' });
      }
    },
  );
}
