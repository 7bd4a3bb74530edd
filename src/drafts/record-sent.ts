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
 */
export async function recordSent(em: EntityManager, row: Outbox, from: { name: string; address: string }, response: string): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(Outbox, { id: row.id }, { state: 'sent', smtpResponse: response.slice(0, 500), sentAt: new Date(), lastError: null, updatedAt: new Date() });
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
  });
}
