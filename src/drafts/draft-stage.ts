import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { entityColumns, entityFromRow, insertEntity, isUniqueViolation } from '../shared/db.ts';
import { runSql } from '../crypto/columns.ts';
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

/** `attachments`: how many the question has (without it, the composer looks them up). */
export type Composer = (input: { caseRow: Case; message: CaseMessage; em: EntityManager; attachments?: number }) => Promise<DraftContent>;

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
  const question = await loadQuestion(em, input.caseMessageId);
  if (question.draftId !== null) return { outcome: 'exists', draftId: question.draftId };
  const { message, caseRow } = question;
  if (!message || !caseRow) return { outcome: 'skipped', reason: 'case message not found' };
  if (message.direction !== 'in' || !message.wantsDraft) return { outcome: 'skipped', reason: 'no draft wanted for this message' };
  // The scan stage queues the draft once the attachments are scanned and read (their codes are evidence).
  if (question.pendingScan > 0) return { outcome: 'skipped', reason: 'attachments not scanned yet' };

  const content = await deps.compose({ caseRow, message, em, attachments: question.attachments });
  // One raw insert statement (no transaction around it, nothing in the unit of work).
  const draft = Object.assign(new Draft(), { caseId: caseRow.id, caseMessageId: message.id, dueAt: caseRow.dueAt ?? null, ...content });
  try {
    await insertEntity(em, draft);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await em.fork().findOneOrFail(Draft, { caseMessageId: input.caseMessageId, followUpKey: '' }, { fields: ['id'] });
    return { outcome: 'exists', draftId: raced.id };
  }
  const codeCount = Object.values(content.codes).reduce((n, list) => n + list.length, 0);
  log.info({ draftId: draft.id, caseId: caseRow.id, kind: content.kind, codes: codeCount, suggested: content.suggestedAnswer !== null, intents: content.intents }, 'draft stored');
  return { outcome: 'drafted', draftId: draft.id };
}

interface Question {
  /** The question's draft when one exists (a repeated job). */
  draftId: number | null;
  message: CaseMessage | null;
  caseRow: Case | null;
  /** Its attachments, and those of them still waiting for the malware scan. */
  attachments: number;
  pendingScan: number;
}

/**
 * Everything the stage decides on, in one statement (it runs for every question): the case
 * message and its case as entities (read only, not managed), whether the question already has its draft, and
 * its attachments' count and how many still wait for the scan.
 */
async function loadQuestion(em: EntityManager, caseMessageId: number): Promise<Question> {
  const sql = `select ${entityColumns(em, CaseMessage, 'cm', 'm_')}, ${entityColumns(em, Case, 'c', 'c_')},
      (select min(d.id) from draft d where d.case_message_id = cm.id and d.follow_up_key = '') as draft_id,
      (select count(*) from attachment a where a.case_message_id = cm.id) as attachments,
      (select count(*) from attachment a where a.case_message_id = cm.id and a.state = 'pending-scan') as pending_scan
    from case_message cm left join cases c on c.id = cm.case_id where cm.id = ?`;
  const [row] = await runSql<Record<string, unknown>>(em, sql, [caseMessageId]);
  if (!row) return { draftId: null, message: null, caseRow: null, attachments: 0, pendingScan: 0 };
  return {
    draftId: row.draft_id == null ? null : Number(row.draft_id),
    message: entityFromRow(em, CaseMessage, row, 'm_'),
    caseRow: entityFromRow(em, Case, row, 'c_'),
    attachments: Number(row.attachments),
    pendingScan: Number(row.pending_scan),
  };
}
