import type { EntityManager } from '@mikro-orm/core';
import type { Case, CaseMessage } from '../cases/case.entity.ts';
import { CaseMessage as CaseMessageEntity } from '../cases/case.entity.ts';
import { CodeCache } from '../codes/code-cache.ts';
import { extractCodes } from '../codes/extract/index.ts';
import { findDateOfService } from '../codes/extract/date-of-service.ts';
import { codesInAttachments, mergeAttachmentCodes, type CodeSource } from './attachment-codes.ts';
import { suggestPortFor } from './code-port.ts';
import { suggestFromEvidence } from './suggest/suggest.ts';
import type { DraftContent } from './draft-stage.ts';
import { buildEvidence, type DateOfService, type Evidence } from './evidence.ts';
import { findRelatedCases } from './related.ts';
import type { ReplyRenderer } from './render.ts';
import { PHI_KINDS, redactPhi, redactText, type PhiKind } from '../privacy/index.ts';

export { codeFactsFor } from './code-port.ts';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Each code's evidence with where it was found (`email`, `attachment:<name>`), by the code as extracted. */
function markSources(evidence: Evidence, sources: Record<string, CodeSource[]>): Evidence {
  return { ...evidence, codes: evidence.codes.map((c) => ({ ...c, sources: sources[c.input] ?? sources[c.code] ?? ['email'] })) };
}

type QuestionText = { subject: string; textNew: string };

/** The PHI spans found in the question's new text when it was filed; null when it has none stored (or one of a kind this version does not know). */
function filedSpans(message: CaseMessage): { kind: PhiKind; start: number; end: number }[] | null {
  const spans = message.phiSpans;
  if (!spans || !spans.every((s) => (PHI_KINDS as readonly string[]).includes(s.kind))) return null;
  return spans as { kind: PhiKind; start: number; end: number }[];
}

/**
 * The date the evidence is built as of: the date of service written in the subject or the new
 * text (the extractor's findDateOfService: a date right after a DOS label, the first valid one);
 * else, for a follow-up, the case's: the one written in the latest earlier question of the case
 * that writes one (`earlier`, oldest first), marked `case`; else the day the message was sent
 * (UTC), marked `received`.
 */
export function chooseDateOfService(message: QuestionText & { sentAt: Date | string }, earlier: QuestionText[] = []): DateOfService {
  const written = findDateOfService(`${message.subject}\n${message.textNew}`);
  if (written) return { date: written.date, source: 'email', written: written.written };
  for (const before of [...earlier].reverse()) {
    const found = findDateOfService(`${before.subject}\n${before.textNew}`);
    if (found) return { date: found.date, source: 'case', written: found.written };
  }
  return { date: isoDay(new Date(message.sentAt)), source: 'received', written: null };
}

/** chooseDateOfService, reading the case's earlier questions only when the message writes no date of service itself. */
async function dateOfServiceFor(em: EntityManager, message: CaseMessage): Promise<DateOfService> {
  const own = chooseDateOfService(message);
  return own.source === 'email' ? own : chooseDateOfService(message, await earlierQuestions(em, message));
}

/** The case's earlier inbound messages (oldest first), for a follow-up's date of service. */
async function earlierQuestions(em: EntityManager, message: CaseMessage): Promise<QuestionText[]> {
  return em.find(CaseMessageEntity, { caseId: message.caseId, direction: 'in', id: { $lt: message.id } }, { orderBy: { id: 'asc' }, fields: ['id', 'subject', 'textNew'] });
}

/**
 * Compose the draft for one question: extract the codes from the subject and the new text (and
 * from the text of its clean attachments, each code marked with where it was found),
 * read the date of service (else the case's, else the date received), build the evidence from
 * the code database, suggest the answer (in place of the consultant marker when an intent is
 * recognised), link past approved answers on the same codes, and render `answer` — or
 * `needs-info` when the question names no code at all. The quoted question and the subject are
 * rendered with the PHI guard's spans replaced (`[removed: date of birth]`).
 */
export function createComposer(deps: { renderer: ReplyRenderer; signatureName: string; codeCache?: CodeCache }) {
  // The composer owns its code cache (or shares the one it is given) for the life of the process.
  const codeCache = deps.codeCache ?? new CodeCache();
  return async (input: { caseRow: Case; message: CaseMessage; em: EntityManager; attachments?: number }): Promise<DraftContent> => {
    const { caseRow, message, em } = input;
    const extraction = extractCodes({ subject: message.subject, body: message.textNew });
    // Codes in the clean attachments' text count too, each marked with where it was found.
    const fromAttachments = input.attachments === 0 ? [] : await codesInAttachments(em, message.id);
    const { codes, sources } = mergeAttachmentCodes(extraction, fromAttachments);
    const attachmentNote = fromAttachments.map((a) => ({ attachmentId: a.attachmentId, name: a.name, codes: a.codes }));
    const units: Record<string, number> = {};
    for (const hit of extraction.hits) if (hit.units !== undefined && units[hit.code] === undefined) units[hit.code] = hit.units;
    const received = new Date(message.sentAt);
    const dateOfService = await dateOfServiceFor(em, message);
    // The reply never repeats a patient identifier: the quoted question and the subject with each
    // marked span replaced. The question's spans were found when it was filed (the ones the review
    // page marks); a message filed without them is looked at again.
    const filed = filedSpans(message);
    const question = filed ? redactPhi(message.textNew, filed) : redactText(message.textNew, { senderAddress: message.fromAddress }).text;
    const base = { greetingName: message.fromName || null, originalSubject: redactText(caseRow.subject).text, signatureName: deps.signatureName };
    const caseNumber = `CD-${caseRow.id}`;
    const total = Object.values(codes).reduce((n, list) => n + list.length, 0);

    if (total === 0) {
      const rendered = deps.renderer.render('needs-info', { ...base, caseNumber, question, reason: 'no-codes', receivedDate: isoDay(received) });
      return {
        kind: 'needs-info', subject: rendered.subject, bodyText: rendered.text, bodyHtml: rendered.html, codes: { ...codes }, evidence: { dateOfService, hits: [], attachments: attachmentNote }, versions: [],
        suggestedAnswer: null, suggestedText: null, intents: [], suggestionFacts: [],
      };
    }
    const port = suggestPortFor(em, codeCache);
    const evidence = await buildEvidence(port, { codes, units, dateOfService });
    // The same composer as `casedesk suggest`: in place of the marker when an intent is recognised.
    const suggestion = await suggestFromEvidence(port, { subject: message.subject, text: message.textNew, extraction, evidence });
    // Past approved answers on the same codes, for the consultant (kept in the evidence; never mailed:
    // their subjects are other coders' questions).
    const related = await findRelatedCases(em, codes, { excludeCaseId: caseRow.id, limit: 3 });
    const rendered = deps.renderer.render('answer', {
      ...base,
      caseNumber,
      question,
      evidence,
      receivedDate: isoDay(received),
      suggestedAnswer: suggestion.answer,
    });
    return {
      kind: 'answer',
      subject: rendered.subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
      codes: { ...codes },
      evidence: { ...markSources(evidence, sources), hits: extraction.hits, related, sources, attachments: attachmentNote } as unknown as Record<string, unknown>,
      versions: evidence.versions,
      suggestedAnswer: suggestion.answer,
      suggestedText: suggestion.answer ? rendered.text : null,
      intents: suggestion.intents,
      suggestionFacts: suggestion.facts as unknown as Record<string, unknown>[],
    };
  };
}
