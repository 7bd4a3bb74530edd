import type { EntityManager } from '@mikro-orm/core';
import { countAttachments } from '../attachments/record.ts';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { isUniqueViolation } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import { Draft, type DraftKind } from './draft.entity.ts';

/** What a composer produces for one question: the reply and the facts it was built from. */
export interface DraftContent {
  kind: DraftKind;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  codes: Record<string, string[]>;
  evidence: Record<string, unknown>;
  versions: string[];
  /** The suggested answer (null: none recognised, the marker stays), the text drafted with it, its intents and facts. */
  suggestedAnswer: string | null;
  suggestedText: string | null;
  intents: string[];
  suggestionFacts: Record<string, unknown>[];
}

export type Composer = (input: { caseRow: Case; message: CaseMessage; em: EntityManager }) => Promise<DraftContent>;

export interface DraftDeps {
  em: EntityManager;
  log: Logger;
  compose: Composer;
}

export type DraftResult =
  | { outcome: 'drafted'; draftId: number }
  | { outcome: 'exists'; draftId: number }
  | { outcome: 'skipped'; reason: string };

/**
 * The draft stage for one inbound question: compose the reply (codes, evidence, rendered text
 * and HTML) and store it as a pending draft. One draft per question: a repeated job finds the
 * existing draft (unique on the case message) and does nothing.
 */
export async function draftReply(deps: DraftDeps, input: { caseMessageId: number }): Promise<DraftResult> {
  const { em, log } = deps;
  const existing = await em.findOne(Draft, { caseMessageId: input.caseMessageId, followUpKey: '' }, { fields: ['id'] });
  if (existing) return { outcome: 'exists', draftId: existing.id };
  const message = await em.findOne(CaseMessage, { id: input.caseMessageId });
  if (!message) return { outcome: 'skipped', reason: 'case message not found' };
  if (message.direction !== 'in' || !message.wantsDraft) return { outcome: 'skipped', reason: 'no draft wanted for this message' };
  // The scan stage queues the draft once the attachments are scanned and read (their codes are evidence).
  if (await countAttachments(em, message.id, ['pending-scan']) > 0) return { outcome: 'skipped', reason: 'attachments not scanned yet' };
  const caseRow = await em.findOneOrFail(Case, { id: message.caseId });

  const content = await deps.compose({ caseRow, message, em });
  const draft = em.create(Draft, {
    caseId: caseRow.id,
    caseMessageId: message.id,
    dueAt: caseRow.dueAt ?? null,
    ...content,
  });
  try {
    await em.flush();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await em.fork().findOneOrFail(Draft, { caseMessageId: input.caseMessageId, followUpKey: '' }, { fields: ['id'] });
    return { outcome: 'exists', draftId: raced.id };
  }
  const codeCount = Object.values(content.codes).reduce((n, list) => n + list.length, 0);
  log.info({ draftId: draft.id, caseId: caseRow.id, kind: content.kind, codes: codeCount, suggested: content.suggestedAnswer !== null, intents: content.intents }, 'draft stored');
  return { outcome: 'drafted', draftId: draft.id };
}
