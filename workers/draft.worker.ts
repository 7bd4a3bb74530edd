import { draftReply, type Composer } from '../src/drafts/draft-stage.ts';
import { createStageWorker, type WorkerContext } from './worker-factory.ts';

/** draft: inbound question → pending draft with evidence. */
export function startDraftWorker(ctx: WorkerContext, compose: Composer) {
  return createStageWorker('draft', ctx, async ({ caseMessageId }, { em, log }) => draftReply({ em, log, compose }, { caseMessageId }));
}
