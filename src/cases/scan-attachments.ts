import type { EntityManager } from '@mikro-orm/core';
import { Attachment, AttachmentContent } from '../attachments/attachment.entity.ts';
import type { AttachmentKind, ScanResult, TextResult } from '../attachments/types.ts';
import type { Logger } from '../shared/logger.ts';
import { Case, CaseMessage } from './case.entity.ts';

export interface ScanDeps {
  em: EntityManager;
  log: Logger;
  /** clamd INSTREAM (src/attachments/clamd-client.ts): resolves, never rejects. */
  scan: (bytes: Uint8Array) => Promise<ScanResult>;
  /** The text reader (src/attachments/text-extractor.ts): resolves, never rejects. */
  readText: (bytes: Uint8Array, kind: AttachmentKind) => Promise<TextResult>;
  now?: () => Date;
}

export type ScanStageResult =
  | { outcome: 'scanned'; caseId: number; caseMessageId: number; wantsDraft: boolean; clean: number; infected: number; notScanned: number }
  | { outcome: 'skipped'; reason: string };

/**
 * The scan stage for one inbound case message: every attachment still `pending-scan` or
 * `not-scanned` goes through clamd. Clean → its text is read (PDF, DOCX, text, CSV; "image, no
 * text" for images); infected → quarantined with the signature name and the case flagged;
 * clamd down or refusing → `not-scanned` with the reason (scanned again later; never served
 * meanwhile). Each attachment is written as soon as it is done, so a crash redoes only the rest.
 * Idempotent on database state: clean, infected and unstored attachments are never touched again.
 */
export async function scanAttachments(deps: ScanDeps, input: { caseMessageId: number }): Promise<ScanStageResult> {
  const { em } = deps;
  const message = await em.findOne(CaseMessage, { id: input.caseMessageId }, { fields: ['id', 'caseId', 'wantsDraft', 'direction'] });
  if (!message) return { outcome: 'skipped', reason: 'case message not found' };
  const rows = await em.find(Attachment, { caseMessageId: message.id, state: { $in: ['pending-scan', 'not-scanned'] } }, { orderBy: { partIndex: 'asc' } });
  const counts = { clean: 0, infected: 0, notScanned: 0 };
  for (const row of rows) {
    const outcome = await scanOne(deps, row);
    if (outcome === 'clean') counts.clean++;
    else if (outcome === 'infected') counts.infected++;
    else counts.notScanned++;
  }
  if (rows.length > 0) deps.log.info({ caseMessageId: message.id, caseId: message.caseId, ...counts }, 'attachments scanned');
  return { outcome: 'scanned', caseId: message.caseId, caseMessageId: message.id, wantsDraft: message.direction === 'in' && message.wantsDraft, ...counts };
}

/** Scan one attachment, then (when clean) read its text; written before the next one starts. */
async function scanOne(deps: ScanDeps, row: Attachment): Promise<'clean' | 'infected' | 'not-scanned'> {
  const { em } = deps;
  const stored = await em.findOne(AttachmentContent, { attachmentId: row.id }, { populate: ['content'] });
  if (!stored) {
    row.state = 'unreadable';
    row.reason = 'the stored content is missing';
    await em.flush();
    return 'not-scanned';
  }
  const result = await deps.scan(stored.content);
  row.scanAttempts += 1;
  if (result.status === 'not-scanned') {
    row.state = 'not-scanned';
    row.reason = `not scanned: ${result.reason}; it is scanned again later and cannot be opened until then`;
    await em.flush();
    deps.log.warn({ attachmentId: row.id, code: result.code, attempt: row.scanAttempts }, 'attachment not scanned');
    return 'not-scanned';
  }
  row.scannedAt = deps.now?.() ?? new Date();
  if (result.status === 'infected') {
    row.state = 'infected';
    row.signature = result.signature.slice(0, 255);
    row.reason = `quarantined: the malware scan found ${result.signature}`;
    row.textStatus = 'none';
    row.textNote = 'quarantined, not read';
    await flagCase(em, row); // in the same flush: an infected attachment is never seen without its flagged case
    await em.flush();
    deps.log.warn({ attachmentId: row.id, signature: row.signature }, 'infected attachment quarantined');
    return 'infected';
  }
  row.state = 'clean';
  row.reason = null;
  applyText(row, await deps.readText(stored.content, row.kind));
  await em.flush();
  return 'clean';
}

function applyText(row: Attachment, text: TextResult): void {
  if (text.status === 'text') {
    row.textStatus = 'text';
    row.text = text.text;
    const pages = text.pages === null ? '' : `${text.pages} page${text.pages === 1 ? '' : 's'}`;
    row.textNote = [pages, text.truncated ? 'text cut at the limit' : ''].filter(Boolean).join(', ') || null;
  } else {
    row.textStatus = text.status === 'none' ? 'none' : 'failed';
    row.text = null;
    row.textNote = text.reason;
  }
}

/** Flag the case (not flushed here): an infected attachment needs a consultant's attention whatever the question. */
async function flagCase(em: EntityManager, infected: Attachment): Promise<void> {
  const caseRow = await em.findOne(Case, { id: infected.caseId });
  if (!caseRow) return;
  const flag = `Malware found in an attachment (${infected.signature ?? 'unknown'}): quarantined, never downloadable`;
  if (caseRow.flag?.includes(flag)) return;
  caseRow.flag = caseRow.flag ? `${caseRow.flag}; ${flag}` : flag;
}
