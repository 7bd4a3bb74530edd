import type { EntityManager } from '@mikro-orm/core';
import { Attachment, AttachmentContent, type AttachmentState } from './attachment.entity.ts';
import type { DescribedAttachment } from './describe.ts';

/**
 * Record the attachments of a case message being filed, in the caller's transaction: one
 * Attachment row each (nothing dropped: over-limit and unreadable parts are listed with their
 * reason) and, for stored ones, their bytes in AttachmentContent, `pending-scan`. Returns how
 * many wait for the scan.
 */
export async function recordAttachments(tx: EntityManager, input: { caseId: number; caseMessageId: number; attachments: readonly DescribedAttachment[] }): Promise<number> {
  const rows: { row: Attachment; content: Uint8Array | null }[] = [];
  for (const { info, content } of input.attachments) {
    const state: AttachmentState = info.status === 'ok' ? 'pending-scan' : info.status;
    const row = tx.create(Attachment, {
      caseId: input.caseId,
      caseMessageId: input.caseMessageId,
      partIndex: info.index,
      name: info.name.slice(0, 255),
      declaredType: info.declaredType.slice(0, 255),
      sniffedType: info.sniffedType.slice(0, 255),
      kind: info.kind,
      size: info.size,
      sha256: info.sha256,
      inline: info.disposition === 'inline',
      state,
      reason: info.reason,
      textStatus: state === 'pending-scan' ? 'pending' : 'none',
      textNote: state === 'pending-scan' ? null : 'not stored, not read',
    });
    rows.push({ row, content: state === 'pending-scan' ? content : null });
  }
  await tx.flush();
  for (const { row, content } of rows) {
    if (content) tx.create(AttachmentContent, { attachmentId: row.id, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) });
  }
  await tx.flush();
  return rows.filter((r) => r.row.state === 'pending-scan').length;
}

/** How many attachments of a case message are in one of `states`. */
export function countAttachments(em: EntityManager, caseMessageId: number, states: AttachmentState[]): Promise<number> {
  return em.count(Attachment, { caseMessageId, state: { $in: states } });
}
