import { extractCodes } from '../../codes/extract/index.ts';
import { findDateOfService } from '../../codes/extract/date-of-service.ts';
import type { ExtractedCodes as ExtractorOutput } from '../../codes/extract/types.ts';
import { buildEvidence, type DateOfService, type Evidence, type ExtractedCodes } from '../evidence.ts';
import { redactText } from '../../privacy/index.ts';
import { composeAnswer } from './compose-answer.ts';
import { detectIntents } from './intents.ts';
import { findReplacements, searchCandidates, type SuggestPort } from './lookups.ts';
import { findModifierTargets } from './modifier-targets.ts';
import type { Suggestion } from './types.ts';
import { unitsInWords } from './units-in-words.ts';

/** One question: its subject and the new text of its body (see `extractNewText`). */
export interface SuggestQuestion {
  subject: string;
  text: string;
  /**
   * The date used when the message writes no date of service (`YYYY-MM-DD`): the date the
   * message was received (draft stage), or `--date` / today (`casedesk suggest`).
   */
  fallbackDate: string;
}

/** A suggestion with the evidence it was composed from (the draft stage stores both). */
export interface SuggestionWithEvidence extends Suggestion {
  evidence: Evidence;
}

/**
 * The suggested answer to one question, from the code database: extract the codes (subject and
 * new text), read the date of service (else `fallbackDate`), build the evidence, then
 * {@link suggestFromEvidence}, all on the question with the PHI guard's spans removed. This is
 * what `casedesk suggest` runs.
 */
export async function suggestAnswer(port: SuggestPort, asked: SuggestQuestion): Promise<SuggestionWithEvidence> {
  // A suggested answer never repeats a patient identifier: it is composed from the question with
  // each marked span replaced (`[removed: patient name]`); codes, NPIs and dates of service stay.
  const question = { ...asked, subject: redactText(asked.subject).text, text: redactText(asked.text).text };
  const extraction = extractCodes({ subject: question.subject, body: question.text });
  const written = findDateOfService(`${question.subject}\n${question.text}`);
  const dateOfService: DateOfService = written
    ? { date: written.date, source: 'email', written: written.written }
    : { date: question.fallbackDate, source: 'received', written: null };
  const units = unitsInWords({ subject: question.subject, body: question.text }, extraction.hits);
  const evidence = await buildEvidence(port, { codes: contractCodes(extraction), units, dateOfService });
  const suggestion = await suggestFromEvidence(port, { subject: question.subject, text: question.text, extraction, evidence });
  return { ...suggestion, evidence };
}

/**
 * The suggested answer for a question whose evidence is already built (the draft stage builds
 * it for the evidence block anyway): recognise the intents, tie modifiers to their codes, look
 * up the closest current codes of ended codes and the candidates of a described service, and
 * compose. `extraction` must be the extractor's output for the same subject and text.
 */
export async function suggestFromEvidence(
  port: SuggestPort,
  input: { subject: string; text: string; extraction: ExtractorOutput; evidence: Evidence },
): Promise<Suggestion> {
  const { extraction } = input;
  const texts = { subject: input.subject, body: input.text };
  const evidence = withUnits(input.evidence, unitsInWords(texts, extraction.hits));
  const date = evidence.dateOfService.date;
  const { intents, lookingFor } = detectIntents({ subject: input.subject, text: input.text, extraction });
  const codesAsked = intents.some((i) => i === 'validity' || i === 'billable' || i === 'descriptor');
  const replacements = codesAsked ? await findReplacements(port, evidence.codes, date) : {};
  const search = lookingFor ? await searchCandidates(port, lookingFor, date) : null;
  const modifierTargets = findModifierTargets(extraction, texts);
  return composeAnswer({ intents, evidence, modifierTargets, replacements, search });
}

/** The extractor's five lists (EXTRACTION.md), without the hits. */
export function contractCodes(extraction: ExtractorOutput): ExtractedCodes {
  return { cpt: extraction.cpt, hcpcs: extraction.hcpcs, icd10cm: extraction.icd10cm, icd10pcs: extraction.icd10pcs, modifiers: extraction.modifiers };
}

/**
 * The evidence with units written in words ("eight units of J1885") set on MUE entries that
 * the extractor's units (`x8`) left empty; the entries' other fields are the code database's.
 */
function withUnits(evidence: Evidence, units: Record<string, number>): Evidence {
  if (!evidence.mue.some((m) => m.unitsWritten === null && units[m.code] !== undefined)) return evidence;
  const mue = evidence.mue.map((m) => {
    const written = m.unitsWritten ?? units[m.code] ?? null;
    return written === m.unitsWritten ? m : { ...m, unitsWritten: written, exceeded: m.value !== null && written !== null && written > m.value };
  });
  return { ...evidence, mue };
}
