import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../../src/cases/case.entity.ts';
import { Outbox } from '../../src/cases/outbox.entity.ts';
import { Draft } from '../../src/drafts/draft.entity.ts';
import { hashMessageId } from '../../src/shared/message-id.ts';

/** What a seeded answer cited, in the shape of the stored evidence (src/drafts/evidence.ts). */
export interface SeedFacts {
  codes?: { code: string; systemLabel: string; status?: string }[];
  pairs?: { codes: [string, string]; edit?: Record<string, unknown> | null }[];
  mue?: { code: string; value?: number | null; adjudicationIndicator?: string | null }[];
  /** Days ago the answer was sent (default 1). */
  sentDaysAgo?: number;
  /** Who asked (default coder<n>@clinic.test). */
  requester?: string;
}

/**
 * A question answered and sent, written straight to the database (case, question, sent draft with
 * its evidence, sent outbox row): fast set-up for impact tests that are not about the pipeline.
 */
export async function seedSentAnswer(em: EntityManager, n: number, facts: SeedFacts): Promise<{ caseId: number; draftId: number }> {
  const sentAt = new Date(Date.now() - (facts.sentDaysAgo ?? 1) * 86_400_000);
  const requester = facts.requester ?? `coder${n}@clinic.test`;
  const c = em.create(Case, { subject: `Question ${n}`, requesterEmail: requester });
  await em.flush();
  const messageId = `<seed-${n}-${Date.now()}@clinic.test>`;
  const q = em.create(CaseMessage, {
    caseId: c.id, direction: 'in', messageId, messageIdHash: hashMessageId(messageId), fromAddress: requester,
    subject: `Question ${n}`, textNew: 'question', textFull: 'question',
  });
  await em.flush();
  const evidence = {
    schemaVersion: 1,
    codes: (facts.codes ?? []).map((x) => ({ status: 'valid', ...x })),
    pairs: (facts.pairs ?? []).map((p) => ({ checked: true, edit: null, ...p })),
    mue: (facts.mue ?? []).map((m) => ({ checked: true, ...m })),
  };
  const d = em.create(Draft, { caseId: c.id, caseMessageId: q.id, kind: 'answer', state: 'sent', subject: `Re: Question ${n}`, bodyText: 'answer', bodyHtml: '<p>answer</p>', evidence });
  await em.flush();
  const o = em.create(Outbox, {
    dedupeKey: `draft:${d.id}`, kind: 'answer', caseId: c.id, draftId: d.id, messageId: `<answer-${d.id}-${Date.now()}@casedesk.test>`, toAddress: requester,
    subject: d.subject, text: 'answer', state: 'sent', sentAt,
  });
  await em.flush();
  d.outboxId = o.id;
  await em.flush();
  return { caseId: c.id, draftId: d.id };
}
