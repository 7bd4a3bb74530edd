import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { Draft, type DraftState } from '../drafts/draft.entity.ts';
import { hasAnswerPlaceholder } from '../drafts/render.ts';
import { indexAnswerKeys } from '../drafts/related.ts';
import { CONSULTANT_ANSWER_MARKER } from '../drafts/reply-view.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { Outbox } from '../cases/outbox.entity.ts';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { AuditEntry } from './audit.entity.ts';
import { measureEdit, sameText } from './edit-measure.ts';
import { rememberAnswer } from './reusable-answers.ts';

/** The wording of the approve action while a draft's text is its suggested answer, unedited. */
export const APPROVE_SUGGESTED = 'Approve suggested answer';

/** Whether a draft carries a suggested answer and its text (or `text`) is still exactly that suggestion. */
export function suggestionState(draft: { suggestedAnswer?: string | null; suggestedText?: string | null; bodyText: string }, text = draft.bodyText): { suggested: boolean; unchanged: boolean } {
  const suggested = Boolean(draft.suggestedAnswer && draft.suggestedText);
  return { suggested, unchanged: suggested && sameText(draft.suggestedText!, text) };
}

export interface DraftSummary {
  id: number;
  caseId: number;
  caseNumber: string;
  kind: string;
  state: DraftState;
  subject: string;
  requester: string;
  codes: Record<string, string[]>;
  dueAt: string | null;
  createdAt: string;
  outbox: { id: number; state: string } | null;
  /** True when the draft carries a suggested answer (its intents below). */
  suggested: boolean;
  intents: string[];
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
export const caseNumber = (id: number) => `CD-${id}`;

/** Drafts by due time (oldest due first), optionally in one state. */
export async function listDrafts(em: EntityManager, opts: { state?: DraftState; limit?: number } = {}): Promise<DraftSummary[]> {
  const drafts = await em.find(Draft, opts.state ? { state: opts.state } : {}, {
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    limit: opts.limit ?? 200,
    fields: ['id', 'caseId', 'kind', 'state', 'subject', 'codes', 'dueAt', 'createdAt', 'outboxId', 'suggestedAnswer', 'intents'],
  });
  const cases = new Map((await em.find(Case, { id: { $in: drafts.map((d) => d.caseId) } })).map((c) => [c.id, c]));
  const outboxes = new Map(
    (await em.find(Outbox, { id: { $in: drafts.map((d) => d.outboxId).filter((id): id is number => id != null) } }, { fields: ['id', 'state'] })).map((o) => [o.id, o]),
  );
  return drafts.map((d) => {
    const o = d.outboxId ? outboxes.get(d.outboxId) : undefined;
    return {
      id: d.id,
      caseId: d.caseId,
      caseNumber: caseNumber(d.caseId),
      kind: d.kind,
      state: d.state,
      subject: d.subject,
      requester: cases.get(d.caseId)?.requesterEmail ?? '',
      codes: d.codes,
      dueAt: iso(d.dueAt),
      createdAt: iso(d.createdAt)!,
      outbox: o ? { id: o.id, state: o.state } : null,
      suggested: d.suggestedAnswer != null,
      intents: d.intents ?? [],
    };
  });
}

/** One draft with its case, the question it answers, and the delivery state of its reply. */
export async function showDraft(em: EntityManager, draftId: number) {
  const draft = await em.findOne(Draft, { id: draftId });
  if (!draft) throw new NotFoundError(`draft ${draftId} not found`);
  const caseRow = await em.findOneOrFail(Case, { id: draft.caseId });
  const question = await em.findOneOrFail(CaseMessage, { id: draft.caseMessageId });
  const outbox = draft.outboxId ? await em.findOne(Outbox, { id: draft.outboxId }) : null;
  const { suggested, unchanged } = suggestionState(draft);
  return {
    id: draft.id,
    kind: draft.kind,
    state: draft.state,
    subject: draft.subject,
    bodyText: draft.bodyText,
    bodyHtml: draft.bodyHtml,
    codes: draft.codes,
    evidence: draft.evidence,
    versions: draft.versions,
    dueAt: iso(draft.dueAt),
    createdAt: iso(draft.createdAt),
    decidedBy: draft.decidedBy ?? null,
    decidedAt: iso(draft.decidedAt),
    rejectReason: draft.rejectReason ?? null,
    /** True when the draft carries a suggested answer; `suggestion` holds it, its intents and facts. */
    suggested,
    suggestion: suggested
      ? {
          intents: draft.intents ?? [],
          answer: draft.suggestedAnswer!,
          facts: draft.suggestionFacts ?? [],
          /** While the text is the suggestion unedited: approving it is "Approve suggested answer". */
          unchanged: draft.state === 'pending' ? unchanged : draft.approvedUnchanged ?? null,
          approveAction: draft.state === 'pending' && unchanged ? APPROVE_SUGGESTED : null,
        }
      : null,
    approvedUnchanged: draft.approvedUnchanged ?? null,
    editDistance: draft.editDistance ?? null,
    case: {
      id: caseRow.id,
      number: caseNumber(caseRow.id),
      subject: caseRow.subject,
      requester: caseRow.requesterEmail,
      state: caseRow.state,
      openedAt: iso(caseRow.openedAt),
    },
    question: { id: question.id, messageId: question.messageId, from: question.fromAddress, subject: question.subject, text: question.textNew },
    outbox: outbox
      ? {
          id: outbox.id,
          state: outbox.state,
          messageId: outbox.messageId,
          to: outbox.toAddress,
          attempts: outbox.attempts,
          lastError: outbox.lastError ?? null,
          smtpResponse: outbox.smtpResponse ?? null,
          bounceStatus: outbox.bounceStatus ?? null,
          bounceDiagnostic: outbox.bounceDiagnostic ?? null,
          sentAt: iso(outbox.sentAt),
        }
      : null,
  };
}

export interface ApproveDeps {
  em: EntityManager;
  makeMessageId: (dedupeKey: string, caseId: number) => string;
  textToHtml: (text: string) => string;
  /** Codes cited in the text that do not resolve; approval is refused while any remain. */
  unresolvedCodes?: (text: string) => Promise<string[]>;
}

/**
 * Approve a pending draft: (optionally) replace its text, write the outbox row, and leave the
 * sending to the send stage. Idempotent: approving an approved draft returns its outbox row.
 */
export interface ApproveResult {
  outboxId: number;
  already: boolean;
  /** The draft carried a suggested answer. */
  suggested: boolean;
  /** The suggested answer was approved exactly as suggested (null: there was no suggestion). */
  approvedUnchanged: boolean | null;
}

export async function approveDraft(deps: ApproveDeps, input: { draftId: number; actor: string; bodyText?: string }): Promise<ApproveResult> {
  if (input.bodyText !== undefined && input.bodyText.trim() === '') throw new ValidationError('the reply text is empty');
  // The code check reads the code database through its own EntityManager: run it before the
  // transaction (SQLite has one connection; a read from outside a transaction that holds it would
  // wait for the pool). Inside, the text approved must be the text checked.
  let checked: string | null = null;
  if (deps.unresolvedCodes) {
    const current = await deps.em.fork().findOne(Draft, { id: input.draftId }, { fields: ['id', 'state', 'bodyText'] });
    if (current?.state === 'pending') {
      checked = input.bodyText ?? current.bodyText;
      const unresolved = await deps.unresolvedCodes(checked);
      if (unresolved.length > 0) throw new ConflictError(`cannot approve: ${unresolved.join(', ')} ${unresolved.length === 1 ? 'does' : 'do'} not resolve in the code database`);
    }
  }
  return deps.em.transactional(async (tx) => {
    const draft = await tx.findOne(Draft, { id: input.draftId });
    if (!draft) throw new NotFoundError(`draft ${input.draftId} not found`);
    if (draft.outboxId && (draft.state === 'approved' || draft.state === 'sent')) {
      return { outboxId: draft.outboxId, already: true, suggested: draft.suggestedAnswer != null, approvedUnchanged: draft.approvedUnchanged ?? null };
    }
    if (draft.state !== 'pending') throw new ConflictError(`draft ${draft.id} is ${draft.state}, only a pending draft can be approved`);
    const text = input.bodyText ?? draft.bodyText;
    if (deps.unresolvedCodes && text !== checked) throw new ConflictError(`draft ${draft.id} changed while it was being approved; try again`);
    if (hasAnswerPlaceholder(text)) {
      throw new ConflictError(`cannot approve: the draft still holds the answer placeholder ${CONSULTANT_ANSWER_MARKER}; write the answer in its place`);
    }
    // The edit figures (issue 10 item 6): the suggestion against the text approved, before the stamp.
    const measure = measureEdit({ suggestedText: draft.suggestedText, suggestedAnswer: draft.suggestedAnswer, approvedText: text });
    draft.approvedText = text;
    draft.approvedUnchanged = measure.approvedUnchanged;
    draft.editDistance = measure.editDistance;
    if (draft.kind === 'answer') await rememberAnswer(tx, { draftId: draft.id, intents: draft.intents ?? [], codes: draft.codes, approvedText: text, actor: input.actor });
    // The code-set versions the facts came from are stamped on every sent answer.
    const versions = draft.versions.join(', ');
    const finalText = versions && !text.includes(versions) ? `${text.trimEnd()}\n\nCode sets: ${versions}\n` : text;
    if (finalText !== draft.bodyText) {
      draft.bodyText = finalText;
      draft.bodyHtml = deps.textToHtml(finalText);
    }
    const question = await tx.findOneOrFail(CaseMessage, { id: draft.caseMessageId });
    const dedupeKey = `draft:${draft.id}`;
    const outbox = tx.create(Outbox, {
      dedupeKey,
      kind: draft.kind,
      caseId: draft.caseId,
      draftId: draft.id,
      messageId: deps.makeMessageId(dedupeKey, draft.caseId),
      toAddress: question.fromAddress,
      subject: draft.subject,
      text: draft.bodyText,
      html: draft.bodyHtml,
      inReplyTo: question.messageId,
      references: [...question.references, question.messageId],
    });
    await tx.flush();
    draft.state = 'approved';
    // Past answers on the same codes are found through this index (src/drafts/related.ts).
    if (draft.kind === 'answer') await indexAnswerKeys(tx, draft.id, draft.codes);
    draft.decidedBy = input.actor;
    draft.decidedAt = new Date();
    draft.outboxId = outbox.id;
    const details = { edited: input.bodyText !== undefined, outboxId: outbox.id, suggested: draft.suggestedAnswer != null, approvedUnchanged: measure.approvedUnchanged };
    await tx.flush();
    await appendAudit(tx, { actor: input.actor, action: 'draft.approve', caseId: draft.caseId, draftId: draft.id, details });
    return { outboxId: outbox.id, already: false, suggested: draft.suggestedAnswer != null, approvedUnchanged: measure.approvedUnchanged };
  });
}

/** Reject a pending draft with a reason; nothing is sent. */
export async function rejectDraft(em: EntityManager, input: { draftId: number; actor: string; reason: string }): Promise<void> {
  if (!input.reason.trim()) throw new ValidationError('a reason is required to reject a draft');
  await em.transactional(async (tx) => {
    const draft = await tx.findOne(Draft, { id: input.draftId });
    if (!draft) throw new NotFoundError(`draft ${input.draftId} not found`);
    if (draft.state === 'rejected') return;
    if (draft.state !== 'pending') throw new ConflictError(`draft ${draft.id} is ${draft.state}, only a pending draft can be rejected`);
    draft.state = 'rejected';
    draft.rejectReason = input.reason;
    draft.decidedBy = input.actor;
    draft.decidedAt = new Date();
    await tx.flush();
    await appendAudit(tx, { actor: input.actor, action: 'draft.reject', caseId: draft.caseId, draftId: draft.id, details: { reasonChars: input.reason.length } });
  });
}

/** Inbound messages in one state (quarantined ones carry their reason). */
export async function listInbound(em: EntityManager, opts: { state?: InboundMessage['state']; limit?: number } = {}) {
  const rows = await em.find(InboundMessage, opts.state ? { state: opts.state } : {}, {
    orderBy: { id: 'desc' },
    limit: opts.limit ?? 200,
    fields: ['id', 'mailbox', 'uidValidity', 'uid', 'messageId', 'size', 'state', 'kind', 'reasons', 'caseId', 'error', 'receivedAt'],
  });
  return rows.map((r) => ({
    id: r.id,
    mailbox: r.mailbox,
    uid: r.uid,
    uidValidity: r.uidValidity,
    messageId: r.messageId ?? null,
    size: r.size,
    state: r.state,
    kind: r.kind ?? null,
    reasons: r.reasons,
    reason: r.error ?? null,
    caseId: r.caseId ?? null,
    receivedAt: iso(r.receivedAt),
  }));
}

/** Put a quarantined (or stuck) message back to `stored` so the parse stage tries it again. */
export async function retryInbound(em: EntityManager, inboundId: number, actor: string): Promise<void> {
  const row = await em.findOne(InboundMessage, { id: inboundId }, { fields: ['id', 'state'] });
  if (!row) throw new NotFoundError(`message ${inboundId} not found`);
  if (row.state === 'parsed' || row.state === 'duplicate') throw new ConflictError(`message ${inboundId} is ${row.state}; nothing to retry`);
  await em.nativeUpdate(InboundMessage, { id: inboundId }, { state: 'stored', error: null, kind: null, reasons: [] });
  await em.flush();
  await appendAudit(em, { actor, action: 'message.retry', details: { inboundId, from: row.state } });
}
