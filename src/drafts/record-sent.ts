import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { Outbox } from '../cases/outbox.entity.ts';
import { hashMessageId } from '../shared/message-id.ts';
import { Draft } from './draft.entity.ts';

/**
 * What a delivered outbox mail leaves behind, in one transaction and idempotent: the row `sent`,
 * its draft `sent`, the reply as an outbound case message (threading finds the coder's answer
 * by it), and the case `answered` (a reply, not a notice). Written by the send stage after the
 * SMTP server took the mail, by ingest when our own copy confirms an `unknown` send, and by a
 * human's "mark sent" (src/review/outbox.ts).
 *
 * With `onlyFrom`, the row becomes `sent` only from one of those states, and the rest is written
 * in the same transaction or not at all (returns false): the copy and a human decide once, and
 * a connection lost half-way never leaves a `sent` row without its draft and reply.
 */
export async function recordSent(em: EntityManager, row: Outbox, from: { name: string; address: string }, response: string, onlyFrom?: Outbox['state'][]): Promise<boolean> {
  return em.transactional(async (tx) => {
    const where = onlyFrom ? { id: row.id, state: { $in: onlyFrom } } : { id: row.id };
    const changed = await tx.nativeUpdate(Outbox, where, { state: 'sent', smtpResponse: response.slice(0, 500), sentAt: new Date(), lastError: null, updatedAt: new Date() });
    if (onlyFrom && changed !== 1) return false;
    await recordSentRest(tx, row, from);
    return true;
  });
}

/** The draft `sent`, the reply as an outbound case message (once), the case `answered`. */
async function recordSentRest(tx: EntityManager, row: Outbox, from: { name: string; address: string }): Promise<void> {
  if (row.draftId) await tx.nativeUpdate(Draft, { id: row.draftId }, { state: 'sent' });
  if (!row.caseId) return;
  const known = await tx.findOne(CaseMessage, { outboxId: row.id }, { fields: ['id'] });
  if (!known) {
    tx.create(CaseMessage, {
      caseId: row.caseId,
      direction: 'out',
      outboxId: row.id,
      messageId: row.messageId,
      messageIdHash: hashMessageId(row.messageId),
      inReplyTo: row.inReplyTo ?? null,
      references: row.references,
      fromAddress: from.address,
      fromName: from.name,
      toAddresses: [row.toAddress],
      subject: row.subject,
      textNew: row.text,
      textFull: row.text,
      html: row.html ?? null,
      sentAt: new Date(),
    });
  }
  if (row.draftId) await tx.nativeUpdate(Case, { id: row.caseId, state: 'open' }, { state: 'answered' });
}
