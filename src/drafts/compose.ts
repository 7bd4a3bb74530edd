import type { EntityManager } from '@mikro-orm/core';
import type { Case, CaseMessage } from '../cases/case.entity.ts';
import { CodeCache } from '../codes/code-cache.ts';
import { lookupCode } from '../codes/lookup-code.ts';
import { findMue, findNcciEdit } from '../codes/ncci-mue.ts';
import { releasesInForce } from '../codes/releases.ts';
import { extractCodes } from '../codes/extract/index.ts';
import { findDateOfService } from '../codes/extract/date-of-service.ts';
import type { CodeFacts } from './code-facts.ts';
import type { DraftContent } from './draft-stage.ts';
import { buildEvidence, type DateOfService, type ExtractedCodes } from './evidence.ts';
import { findRelatedCases } from './related.ts';
import type { ReplyRenderer } from './render.ts';
import { redactText } from '../privacy/index.ts';

/** CodeFacts bound to one EntityManager (and the composer's code cache): the code database as the evidence core sees it. */
export function codeFactsFor(em: EntityManager, cache?: CodeCache): CodeFacts {
  return {
    lookupCode: (code, options) => lookupCode(em, code, { date: options.date, cache }),
    findNcciEdit: (a, b, options) => findNcciEdit(em, a, b, { date: options.date, cache }),
    findMue: (code, options) => findMue(em, code, { date: options.date, cache }),
    releasesInForce: (date) => releasesInForce(em, date, { cache }),
  };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The date the evidence is built as of: the date of service written in the subject or the new
 * text (the extractor's findDateOfService: a date right after a DOS label, the first valid one),
 * else the day the message was sent (UTC), marked `received`.
 */
export function chooseDateOfService(message: { subject: string; textNew: string; sentAt: Date | string }): DateOfService {
  const written = findDateOfService(`${message.subject}\n${message.textNew}`);
  if (written) return { date: written.date, source: 'email', written: written.written };
  return { date: isoDay(new Date(message.sentAt)), source: 'received', written: null };
}

/**
 * Compose the draft for one question: extract the codes from the subject and the new text,
 * read the date of service (else the date received), build the evidence from the code
 * database, link past approved answers on the same codes, and render `answer` — or
 * `needs-info` when the question names no code at all. The quoted question and the subject are
 * rendered with the PHI guard's spans replaced (`[removed: date of birth]`).
 */
export function createComposer(deps: { renderer: ReplyRenderer; signatureName: string; codeCache?: CodeCache }) {
  // The composer owns its code cache (or shares the one it is given) for the life of the process.
  const codeCache = deps.codeCache ?? new CodeCache();
  return async (input: { caseRow: Case; message: CaseMessage; em: EntityManager }): Promise<DraftContent> => {
    const { caseRow, message, em } = input;
    const extraction = extractCodes({ subject: message.subject, body: message.textNew });
    const codes: ExtractedCodes = {
      cpt: extraction.cpt, hcpcs: extraction.hcpcs, icd10cm: extraction.icd10cm, icd10pcs: extraction.icd10pcs, modifiers: extraction.modifiers,
    };
    const units: Record<string, number> = {};
    for (const hit of extraction.hits) if (hit.units !== undefined && units[hit.code] === undefined) units[hit.code] = hit.units;
    const received = new Date(message.sentAt);
    const dateOfService = chooseDateOfService(message);
    // The reply never repeats a patient identifier: the quoted question and the subject with each marked span replaced.
    const question = redactText(message.textNew, { senderAddress: message.fromAddress }).text;
    const base = { greetingName: message.fromName || null, originalSubject: redactText(caseRow.subject).text, signatureName: deps.signatureName };
    const caseNumber = `CD-${caseRow.id}`;
    const total = Object.values(codes).reduce((n, list) => n + list.length, 0);

    if (total === 0) {
      const rendered = deps.renderer.render('needs-info', { ...base, caseNumber, question, reason: 'no-codes', receivedDate: isoDay(received) });
      return { kind: 'needs-info', subject: rendered.subject, bodyText: rendered.text, bodyHtml: rendered.html, codes: { ...codes }, evidence: { dateOfService, hits: [] }, versions: [] };
    }
    const evidence = await buildEvidence(codeFactsFor(em, codeCache), { codes, units, dateOfService });
    // Past approved answers on the same codes, for the consultant (kept in the evidence; never mailed:
    // their subjects are other coders' questions).
    const related = await findRelatedCases(em, codes, { excludeCaseId: caseRow.id, limit: 3 });
    const rendered = deps.renderer.render('answer', {
      ...base,
      caseNumber,
      question,
      evidence,
      receivedDate: isoDay(received),
    });
    return {
      kind: 'answer',
      subject: rendered.subject,
      bodyText: rendered.text,
      bodyHtml: rendered.html,
      codes: { ...codes },
      evidence: { ...evidence, hits: extraction.hits, related } as unknown as Record<string, unknown>,
      versions: evidence.versions,
    };
  };
}
