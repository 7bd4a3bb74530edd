import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { Draft } from '../drafts/draft.entity.ts';
import type { ReplyRenderer } from '../drafts/render.ts';
import { redactText } from '../privacy/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { AuditEntry } from './audit.entity.ts';
import { CaseNote } from './case-note.entity.ts';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { approveDraft, type ApproveDeps } from './review.ts';

/** How long a `case.view` counts as "has it open". */
export const VIEW_WINDOW_MS = 5 * 60_000;

async function pendingDraft(em: EntityManager, draftId: number): Promise<Draft> {
  const draft = await em.findOne(Draft, { id: draftId });
  if (!draft) throw new NotFoundError(`draft ${draftId} not found`);
  if (draft.state !== 'pending') throw new ConflictError(`draft ${draft.id} is ${draft.state}, only a pending draft can be changed`);
  return draft;
}

/**
 * Save a consultant's edit of a pending draft without approving it: the text as written and the
 * HTML rendered from it (`renderConsultantReply`). An empty text is refused.
 */
export async function saveDraft(deps: { em: EntityManager; renderConsultantReply: ReplyRenderer['renderConsultantReply'] }, input: { draftId: number; actor: string; bodyText: string }): Promise<void> {
  if (input.bodyText.trim() === '') throw new ValidationError('the reply text is empty');
  await deps.em.transactional(async (tx) => {
    const draft = await pendingDraft(tx, input.draftId);
    const rendered = deps.renderConsultantReply(input.bodyText);
    const changed = rendered.text !== draft.bodyText;
    draft.bodyText = rendered.text;
    draft.bodyHtml = rendered.html;
    await tx.flush();
    await appendAudit(tx, { actor: input.actor, action: 'draft.save', caseId: draft.caseId, draftId: draft.id, details: { changed, chars: rendered.text.length } });
  });
}

/**
 * Ask the coder for more information instead of answering: the pending draft becomes a
 * `needs-info` reply (rendered from the reply templates with the original question) and is
 * approved as the reply, so the send stage mails it like any approved draft. The code check of
 * approval is skipped: this reply cites no codes of ours, it only restates the question.
 */
export async function askForMoreInfo(
  deps: Omit<ApproveDeps, 'unresolvedCodes'> & { renderer: Pick<ReplyRenderer, 'render'>; signatureName: string },
  input: { draftId: number; actor: string },
): Promise<{ outboxId: number; already: boolean }> {
  const em = deps.em;
  const draft = await pendingDraft(em, input.draftId);
  const [caseRow, question] = await Promise.all([em.findOneOrFail(Case, { id: draft.caseId }), em.findOneOrFail(CaseMessage, { id: draft.caseMessageId })]);
  const rendered = deps.renderer.render('needs-info', {
    greetingName: question.fromName || null,
    originalSubject: redactText(caseRow.subject).text,
    signatureName: deps.signatureName,
    caseNumber: `CD-${caseRow.id}`,
    question: redactText(question.textNew, { senderAddress: question.fromAddress }).text,
    reason: 'ambiguous',
    receivedDate: new Date(question.sentAt).toISOString().slice(0, 10),
  });
  draft.kind = 'needs-info';
  draft.subject = rendered.subject;
  draft.bodyText = rendered.text;
  draft.bodyHtml = rendered.html;
  await em.flush();
  await appendAudit(em, { actor: input.actor, action: 'draft.needs-info', caseId: draft.caseId, draftId: draft.id, details: {} });
  return approveDraft({ em, makeMessageId: deps.makeMessageId, textToHtml: deps.textToHtml }, { draftId: draft.id, actor: input.actor });
}

/** Assign a case to a consultant (or take it over); audited. */
export async function assignCase(em: EntityManager, input: { caseId: number; assignee: string; actor: string }): Promise<void> {
  const caseRow = await em.findOne(Case, { id: input.caseId });
  if (!caseRow) throw new NotFoundError(`case ${input.caseId} not found`);
  const from = caseRow.assignee ?? null;
  caseRow.assignee = input.assignee;
  await em.flush();
  await appendAudit(em, { actor: input.actor, action: 'case.assign', caseId: caseRow.id, details: { from, to: input.assignee } });
}

/** Add an internal note to a case: shown in the thread on the review page, never sent. */
export async function addCaseNote(em: EntityManager, input: { caseId: number; author: string; text: string }): Promise<CaseNote> {
  const text = input.text.trim();
  if (!text) throw new ValidationError('the note is empty');
  if (text.length > 10_000) throw new ValidationError('the note is longer than 10,000 characters');
  if (!(await em.count(Case, { id: input.caseId }))) throw new NotFoundError(`case ${input.caseId} not found`);
  const note = em.create(CaseNote, { caseId: input.caseId, author: input.author, text });
  await em.flush();
  await appendAudit(em, { actor: input.author, action: 'case.note', caseId: input.caseId, details: { chars: text.length } });
  return note;
}

/** Record that someone opened a case (the audit log's `case.view`; "who has it open" reads it). */
export async function recordCaseView(em: EntityManager, input: { caseId: number; actor: string; draftId?: number | null }): Promise<void> {
  await em.flush();
  await appendAudit(em, { actor: input.actor, action: 'case.view', caseId: input.caseId, draftId: input.draftId ?? null, details: {} });
}

/** Who viewed each of these cases within the last few minutes (VIEW_WINDOW_MS), by case id. */
export async function recentViewers(em: EntityManager, caseIds: number[], now = new Date()): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (caseIds.length === 0) return out;
  const rows = await em.find(AuditEntry, { action: 'case.view', caseId: { $in: caseIds }, at: { $gte: new Date(now.getTime() - VIEW_WINDOW_MS) } }, { fields: ['caseId', 'actor'], orderBy: { at: 'desc' } });
  for (const r of rows) {
    const list = out.get(r.caseId!) ?? [];
    if (!list.includes(r.actor)) list.push(r.actor);
    out.set(r.caseId!, list);
  }
  return out;
}
