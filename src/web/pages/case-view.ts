import type { EntityManager } from '@mikro-orm/core';
import { decisionFor, listAttachments, type AttachmentListing } from '../../attachments/access.ts';
import type { Attachment } from '../../attachments/attachment.entity.ts';
import { Case, CaseMessage } from '../../cases/case.entity.ts';
import { extractCodes, type CodeHit } from '../../codes/extract/index.ts';
import { Draft } from '../../drafts/draft.entity.ts';
import { hasAnswerPlaceholder } from '../../drafts/render.ts';
import { CaseNote } from '../../review/case-note.entity.ts';
import { recentViewers } from '../../review/actions.ts';
import { APPROVE_SUGGESTED, caseNumber, suggestionState } from '../../review/review.ts';
import { reusableAnswersFor } from '../../review/reusable-answers.ts';
import { Outbox } from '../../cases/outbox.entity.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { Subscriber } from '../../subscribers/subscriber.entity.ts';
import { PHI_LABELS, type PhiKind } from '../../privacy/index.ts';
import { highlightSegments, sanitizeEmailHtml } from '../sanitize.ts';

type Json = Record<string, unknown>;

/** A message's stored PHI spans with the label the page shows (unknown kinds are shown as "identifier"). */
function phiMarks(m: CaseMessage): { start: number; end: number; label: string }[] {
  return (m.direction === 'in' ? (m.phiSpans ?? []) : []).map((p) => ({ start: p.start, end: p.end, label: PHI_LABELS[p.kind as PhiKind] ?? 'identifier' }));
}
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string | null => (v == null || v === '' ? null : String(v));

/** The evidence JSON of a draft as the page shows it: every field present (null for none). */
export function evidenceView(evidence: Json) {
  const dos = (evidence.dateOfService ?? null) as Json | null;
  return {
    dateOfService: dos ? str(dos.label) ?? str(dos.date) : null,
    codes: arr(evidence.codes).map((c) => ({
      code: str(c.code) ?? str(c.input) ?? '',
      system: str(c.systemLabel) ?? '',
      status: str(c.status) ?? '',
      statusLabel: str(c.statusLabel) ?? str(c.status) ?? '',
      descriptor: str(c.descriptor),
      plainLanguage: str(c.plainLanguage),
      billable: c.billable === true ? 'billable' : c.billable === false ? 'not billable (header)' : null,
      problems: arr(c.problems).map(String),
      children: arr(c.children).slice(0, 10).map((k) => `${String(k.code)} ${String(k.description ?? '')}`.trim()),
      unknown: c.status === 'unknown',
      sources: arr(c.sources).map(String).map((src) => (src.startsWith('attachment:') ? `attachment ${src.slice('attachment:'.length)}` : src)),
    })),
    pairs: arr(evidence.pairs).map((p) => ({ codes: arr(p.codes).map(String).join(' + '), summary: str(p.summary) ?? '', hasEdit: p.edit != null })),
    mue: arr(evidence.mue).map((m) => ({ code: str(m.code) ?? '', summary: str(m.summary) ?? '', exceeded: m.exceeded === true })),
    modifiers: arr(evidence.modifiers).map((m) => ({ modifier: str(m.modifier) ?? '', description: str(m.description) ?? '', problems: arr(m.problems).map(String) })),
    versions: arr(evidence.versions).map(String),
    unresolved: arr(evidence.unresolved).map(String),
    related: arr(evidence.related).map((r) => ({ caseNumber: str(r.caseNumber) ?? '', caseId: Number(String(r.caseNumber ?? '').replace(/^CD-/, '')) || null, subject: str(r.subject) ?? '' })),
  };
}

const STATE_LABELS: Record<string, string> = {
  'pending-scan': 'waiting for the malware scan', clean: 'scanned, clean', infected: 'INFECTED: quarantined',
  'not-scanned': 'not scanned', 'over-limit': 'over the size limit', unreadable: 'unreadable',
};

/** One attachment as the case page lists it: what it is, its scan state, its text, and how it opens (if it may). */
export function attachmentView(a: AttachmentListing) {
  const decision = decisionFor({ state: a.state as Attachment['state'], sniffedType: a.sniffedType, name: a.name });
  const mode = decision.allowed ? decision.mode : null;
  return {
    id: a.id, name: a.name, type: a.sniffedType, declaredType: a.declaredType !== a.sniffedType ? a.declaredType : null, size: a.sizeLabel,
    state: a.state, stateLabel: STATE_LABELS[a.state] ?? a.state, signature: a.signature, reason: a.reason,
    text: a.text, textNote: a.textNote ?? (a.textStatus === 'pending' ? 'not read yet' : null),
    canOpen: decision.allowed, image: mode === 'inline-image', pdf: mode === 'sandboxed-pdf', refused: decision.allowed ? null : decision.reason,
  };
}

/** One fact of a suggested answer in a line a consultant reads beside the answer. */
export function factLine(fact: Json): string {
  const codes = arr(fact.codes).map(String);
  switch (fact.kind) {
    case 'ncci':
      if (!fact.edit) return `NCCI ${codes.join(' + ')}: no edit in the release in force`;
      return `NCCI ${codes.join(' + ')}: column 1 ${String(fact.column1)}, column 2 ${String(fact.column2)}, modifier indicator ${String(fact.modifierIndicator)}${fact.inEffect ? '' : ' (not in effect on the date)'}`;
    case 'mue':
      return `MUE ${String(fact.code)}: ${fact.value == null ? 'no limit found' : `${String(fact.value)} units`}${fact.unitsWritten == null ? '' : `, ${String(fact.unitsWritten)} written${fact.exceeds ? ' (exceeds)' : ''}`}`;
    case 'code': {
      const billable = fact.billable === true ? ', billable' : fact.billable === false ? ', not billable' : '';
      const children = arr(fact.children).length ? ` (billable under it: ${arr(fact.children).map(String).join(', ')})` : '';
      return `${String(fact.code)} (${String(fact.system)}): ${fact.valid ? 'valid' : 'not valid'}${billable}${fact.header ? ', header' : ''}${children}`;
    }
    case 'modifier':
      return `Modifier ${String(fact.modifier)}${fact.code ? ` on ${String(fact.code)}` : ''}`;
    case 'search':
      return `Candidates for "${String(fact.words)}": ${codes.join(', ') || 'none'}`;
    default:
      return JSON.stringify(fact);
  }
}

/** The suggestion beside a draft: its facts, whether the text is still the suggestion, the approve button's words. */
function suggestionView(draft: Draft) {
  const { suggested, unchanged } = suggestionState(draft);
  return {
    suggested,
    unchanged,
    suggestedText: suggested ? draft.suggestedText ?? '' : null,
    intents: draft.intents ?? [],
    facts: (draft.suggestionFacts ?? []).map((f) => factLine(f as Json)),
    approveLabel: draft.state === 'pending' && unchanged ? APPROVE_SUGGESTED : 'Approve and send',
    approvedUnchanged: draft.approvedUnchanged ?? null,
  };
}

/**
 * Everything the case page shows: the case, its thread (inbound and outbound messages and
 * internal notes, oldest first; inbound HTML sanitised, codes highlighted), the draft under
 * review with its evidence and delivery state, and who else has the case open.
 */
export async function loadCasePage(em: EntityManager, input: { caseId: number; draftId?: number; viewer: string; unresolvedCodes?: (text: string) => Promise<string[]> }) {
  const caseRow = await em.findOne(Case, { id: input.caseId });
  if (!caseRow) throw new NotFoundError(`case ${input.caseId} not found`);
  const [messages, notes, drafts, attachments] = await Promise.all([
    em.find(CaseMessage, { caseId: caseRow.id }, { populate: ['html'], orderBy: [{ sentAt: 'asc' }, { id: 'asc' }] }),
    em.find(CaseNote, { caseId: caseRow.id }, { orderBy: { createdAt: 'asc' } }),
    em.find(Draft, { caseId: caseRow.id }, { orderBy: { id: 'desc' } }),
    listAttachments(em, { caseId: caseRow.id }, { withText: true }),
  ]);
  const draft = (input.draftId ? drafts.find((d) => d.id === input.draftId) : null) ?? drafts.find((d) => d.state === 'pending') ?? drafts[0] ?? null;
  if (input.draftId && draft?.id !== input.draftId) throw new NotFoundError(`draft ${input.draftId} not found in case ${caseRow.id}`);
  const evidence = (draft?.evidence ?? {}) as Json;
  const storedHits = arr(evidence.hits) as unknown as CodeHit[];

  const thread = [
    ...messages.map((m) => {
      const hits = draft && m.id === draft.caseMessageId && storedHits.length ? storedHits : extractCodes({ subject: m.subject, body: m.textNew }).hits;
      const phi = phiMarks(m);
      return {
        at: new Date(m.sentAt).getTime(),
        kind: m.direction === 'in' ? 'inbound' : 'outbound',
        isNote: false,
        inbound: m.direction === 'in',
        from: m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress,
        time: new Date(m.sentAt).toISOString(),
        subject: highlightSegments(m.subject, hits.filter((h) => h.field === 'subject')),
        body: highlightSegments(m.direction === 'in' ? m.textNew : m.textFull, m.direction === 'in' ? hits.filter((h) => h.field === 'body') : [], phi),
        phiLabels: [...new Set(phi.map((p) => p.label))],
        unverifiedSender: m.direction === 'in' && m.senderVerdict != null && m.senderVerdict !== 'verified',
        senderVerdict: m.senderVerdict ?? null,
        senderReasons: m.senderReasons ?? [],
        html: m.direction === 'in' && m.html ? sanitizeEmailHtml(m.html) : null,
        quoted: m.direction === 'in' && m.textFull.trim() !== m.textNew.trim() ? m.textFull : null,
        isQuestion: draft?.caseMessageId === m.id,
        attachments: attachments.filter((a) => a.caseMessageId === m.id).map(attachmentView),
      };
    }),
    ...notes.map((n) => ({
      at: new Date(n.createdAt).getTime(), kind: 'note', isNote: true, inbound: false, from: n.author, time: new Date(n.createdAt).toISOString(),
      subject: [], body: [{ text: n.text, code: null, system: null }], html: null, quoted: null, isQuestion: false, attachments: [],
      phiLabels: [] as string[], unverifiedSender: false, senderVerdict: null, senderReasons: [] as string[],
    })),
  ].sort((a, b) => a.at - b.at);

  const outbox = draft?.outboxId ? await em.findOne(Outbox, { id: draft.outboxId }) : null;
  const pending = draft?.state === 'pending';
  const unresolvedNow = pending && input.unresolvedCodes ? await input.unresolvedCodes(draft.bodyText) : [];
  const plan = caseRow.subscriberId ? (await em.findOne(Subscriber, { id: caseRow.subscriberId }, { fields: ['plan'] }))?.plan ?? null : null;
  const viewers = ((await recentViewers(em, [caseRow.id])).get(caseRow.id) ?? []).filter((v) => v !== input.viewer);
  // Approved answers to the same intent and codes, offered beside the suggestion (one click fills the text).
  const reusable = pending && draft ? (await reusableAnswersFor(em, draft)).filter((r) => r.body.trim() !== (draft.suggestedAnswer ?? '').trim()) : [];
  const phiLabels = [...new Set(thread.flatMap((t) => t.phiLabels))];
  return {
    phi: { found: phiLabels.length > 0, labels: phiLabels },
    case: {
      id: caseRow.id, number: caseNumber(caseRow.id), subject: caseRow.subject, requester: caseRow.requesterEmail, state: caseRow.state,
      assignee: caseRow.assignee ?? null, mine: caseRow.assignee === input.viewer, plan,
      held: caseRow.state === 'held', holdReason: caseRow.holdReason ?? null, unverifiedSender: caseRow.unverifiedSender, dueAt: caseRow.dueAt ? new Date(caseRow.dueAt).toISOString() : null,
      flag: caseRow.flag ?? null,
    },
    thread,
    viewers,
    multipleDrafts: drafts.length > 1,
    drafts: drafts.map((d) => ({ id: d.id, state: d.state, kind: d.kind, current: d.id === draft?.id })),
    draft: draft
      ? {
          id: draft.id, state: draft.state, kind: draft.kind, subject: draft.subject, bodyText: draft.bodyText, bodyHtml: sanitizeEmailHtml(draft.bodyHtml),
          pending, decidedBy: draft.decidedBy ?? null, decidedAt: draft.decidedAt ? new Date(draft.decidedAt).toISOString() : null,
          rejectReason: draft.rejectReason ?? null, versions: draft.versions, placeholder: pending && hasAnswerPlaceholder(draft.bodyText),
          unresolvedNow, blocked: unresolvedNow.length > 0,
          suggestion: suggestionView(draft), reusable: reusable.map((r) => ({ id: r.id, key: r.key, body: r.body, updatedAt: r.updatedAt })),
          outbox: outbox ? { state: outbox.state, attempts: outbox.attempts, lastError: outbox.lastError ?? null, bounce: outbox.bounceDiagnostic ?? null, sentAt: outbox.sentAt ? new Date(outbox.sentAt).toISOString() : null } : null,
        }
      : null,
    evidence: evidenceView(evidence),
  };
}
