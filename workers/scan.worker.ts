import type { EntityManager } from '@mikro-orm/core';
import { Attachment } from '../src/attachments/attachment.entity.ts';
import { scanAttachments, type ScanDeps } from '../src/cases/scan-attachments.ts';
import type { Orm } from '../src/shared/db.ts';
import type { Logger } from '../src/shared/logger.ts';
import { logSafeError } from '../src/shared/log-safe-error.ts';
import type { Enqueuer } from '../src/shared/queues.ts';
import { createStageWorker, type WorkerContext } from './worker-factory.ts';

/** scan: the attachments of a case message → clean (text read) / infected (case flagged) / not scanned; then its draft. */
export function startScanWorker(ctx: WorkerContext, deps: Omit<ScanDeps, 'em' | 'log'>, enqueuer: Enqueuer) {
  return createStageWorker('scan', ctx, async ({ caseMessageId }, { em, log }) => {
    const result = await scanAttachments({ ...deps, em, log }, { caseMessageId });
    // The draft waits for the scan (its evidence reads the attachments' text), never for clamd: a
    // message whose attachments stay not scanned is drafted from what could be read.
    if (result.outcome === 'scanned' && result.wantsDraft) await enqueuer.enqueueDraft(caseMessageId);
    return result;
  });
}

/** Case messages with an attachment waiting for a scan: pending (a lost job) or left not scanned (clamd was down). */
export async function unscannedMessages(em: EntityManager, states: ('pending-scan' | 'not-scanned')[]): Promise<number[]> {
  const rows = await em.find(Attachment, { state: { $in: states } }, { fields: ['caseMessageId'], orderBy: { caseMessageId: 'asc' } });
  return [...new Set(rows.map((r) => r.caseMessageId))];
}

/**
 * Scan again, every `seconds`, the attachments left not scanned because clamd was down: they stay
 * refused for download until a scan succeeds. The handle's `stop` ends the timer.
 */
export function startRescanTimer(orm: Orm, enqueuer: Enqueuer, seconds: number, log: Logger): { stop(): void } {
  const timer = setInterval(() => {
    void (async () => {
      const ids = await unscannedMessages(orm.em.fork(), ['not-scanned']);
      for (const id of ids) await enqueuer.enqueueScan(id);
      if (ids.length > 0) log.info({ messages: ids.length }, 'rescan of not-scanned attachments queued');
    })().catch((err: unknown) => log.error(logSafeError(err), 'rescan of attachments failed'));
  }, seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
