import type { CodeRef } from '../code-facts.ts';
import type { Evidence } from '../evidence.ts';
import { codeFact, codeParagraph, isUncheckedCpt, isUncheckedForLackOfRelease } from './answer-codes.ts';
import { modifierParagraph } from './answer-modifiers.ts';
import { ncciFact, pairParagraph } from './answer-pairs.ts';
import { searchFact, searchParagraph, type SearchResult } from './answer-search.ts';
import { mueFact, unitsParagraph } from './answer-units.ts';
import { Sources } from './sources.ts';
import type { Fact, Intent, Suggestion } from './types.ts';

export interface ComposeInput {
  intents: Intent[];
  evidence: Evidence;
  /** The code each modifier is written on (null when the question does not say). */
  modifierTargets: Record<string, string | null>;
  /** Closest current codes of an ended, not-yet-valid or unknown code, by code. */
  replacements: Record<string, CodeRef[]>;
  /** The descriptor search of a `code-for-words` question. */
  search: SearchResult | null;
}

interface Draft {
  paragraphs: string[];
  facts: Fact[];
  missing: string[];
}

/**
 * Compose the suggested answer: pure, from the evidence (the code database's word on every code,
 * pair, MUE and modifier, as of the date of service) and the question's intents.
 *
 * Short paragraphs in a coder's words, in the order pairs, units, codes, modifiers, candidates;
 * each fact names its code set and version. Where the data is silent, the answer says so and
 * `missing` says why; it never states a payer policy, a coverage rule or a descriptor that the
 * data does not hold. Nothing recognised (`other`) gives `answer: null`: the draft keeps the
 * consultant marker.
 */
export function composeAnswer(input: ComposeInput): Suggestion {
  const { intents, evidence } = input;
  const sources = new Sources(evidence);
  const draft: Draft = { paragraphs: [], facts: [], missing: [] };
  const date = evidence.dateOfService.date;
  if (evidence.dateOfService.source === 'received') draft.missing.push(`date of service not given; used ${date}`);
  if (intents.includes('other') || intents.length === 0) return finish(['other'], draft, null, sources);

  const has = (i: Intent) => intents.includes(i);
  if (has('ncci-pair')) addPairs(draft, evidence, sources);
  if (has('units')) addUnits(draft, evidence, sources);
  if (has('validity') || has('billable') || has('descriptor')) addCodes(draft, input, sources);
  if (has('modifier')) addModifiers(draft, input, sources);
  if (has('code-for-words')) addSearch(draft, input, sources);
  const source = evidence.dateOfService.source;
  const lead = source === 'email'
    ? `Checked against the code data in force on the date of service, ${date}.`
    : source === 'case'
      ? `Checked against the code data in force on this case's date of service, ${date} (from your earlier message).`
      : `No date of service was given, so this was checked against the code data in force on ${date}.`;
  return finish(intents, draft, draft.paragraphs.length ? [lead, ...draft.paragraphs].join('\n\n') : null, sources);
}

function finish(intents: Intent[], draft: Draft, answer: string | null, sources: Sources): Suggestion {
  return { intents, answer, facts: draft.facts, missing: [...new Set(draft.missing)], sources: sources.labels() };
}

function procedureCodes(evidence: Evidence): string[] {
  return evidence.codes.filter((c) => c.extractedAs === 'cpt' || c.extractedAs === 'hcpcs').map((c) => c.code);
}

function addPairs(draft: Draft, evidence: Evidence, sources: Sources): void {
  const date = evidence.dateOfService.date;
  if (evidence.pairs.length === 0) {
    const named = procedureCodes(evidence);
    draft.missing.push(named.length === 1 ? 'only one procedure code named: no NCCI pair to check' : 'no procedure codes named: no NCCI pair to check');
    const which = named.length === 1 ? `Only ${named[0]} is named as a procedure code` : 'No procedure code is named';
    draft.paragraphs.push(`${which}: name the codes billed with it (for an office visit, the E/M level) to check the NCCI PTP edit between them.`);
    return;
  }
  if (evidence.pairs.some((p) => !p.checked)) {
    draft.missing.push(`no NCCI release loaded for ${date}`);
    draft.paragraphs.push(`NCCI PTP edits were not checked: no NCCI PTP release is loaded for ${date}.`);
    return;
  }
  for (const pair of evidence.pairs) {
    draft.paragraphs.push(pairParagraph(pair, sources, date));
    draft.facts.push(ncciFact(pair));
  }
}

function addUnits(draft: Draft, evidence: Evidence, sources: Sources): void {
  const date = evidence.dateOfService.date;
  const withUnits = evidence.mue.filter((m) => m.unitsWritten !== null);
  const asked = withUnits.length ? withUnits : evidence.mue;
  if (asked.length === 0) {
    draft.missing.push('no procedure code named: no MUE to check');
    return;
  }
  if (asked.some((m) => !m.checked)) {
    draft.missing.push(`no MUE release loaded for ${date}`);
    draft.paragraphs.push(`MUE limits were not checked: no MUE release is loaded for ${date}.`);
  }
  // Without an MUE release the limit is unknown, not "none": no fact then (as for NCCI).
  for (const m of asked.filter((x) => x.checked)) {
    draft.paragraphs.push(unitsParagraph(m, sources, date));
    draft.facts.push(mueFact(m));
  }
}

function addCodes(draft: Draft, input: ComposeInput, sources: Sources): void {
  const { evidence, intents } = input;
  const date = evidence.dateOfService.date;
  if (evidence.codes.length === 0) {
    draft.missing.push('no code named: nothing to look up');
    return;
  }
  const descriptorAsked = intents.includes('descriptor');
  for (const c of evidence.codes) {
    if (isUncheckedForLackOfRelease(c, sources)) draft.missing.push(`${c.systemLabel} not checked: no ${c.systemLabel} release loaded for ${date}`);
    if (isUncheckedCpt(c)) {
      draft.missing.push('CPT validity not checked: no CPT release loaded');
      if (descriptorAsked) draft.missing.push('CPT descriptor not licensed');
    }
    draft.paragraphs.push(codeParagraph(c, { sources, date, replacements: input.replacements[c.code] ?? [], descriptorAsked }));
    draft.facts.push(codeFact(c));
  }
}

function addModifiers(draft: Draft, input: ComposeInput, sources: Sources): void {
  const { evidence } = input;
  if (evidence.modifiers.length === 0) {
    draft.missing.push('no modifier named');
    return;
  }
  const ctx = { sources, date: evidence.dateOfService.date, pairs: evidence.pairs, procedures: procedureCodes(evidence), said: new Set<string>() };
  for (const m of evidence.modifiers) {
    const code = input.modifierTargets[m.modifier] ?? null;
    draft.paragraphs.push(modifierParagraph(m, code, ctx));
    draft.facts.push({ kind: 'modifier', modifier: m.modifier, code });
  }
}

function addSearch(draft: Draft, input: ComposeInput, sources: Sources): void {
  const s = input.search;
  if (!s) {
    draft.missing.push('no description found to search for');
    return;
  }
  draft.paragraphs.push(searchParagraph(s, sources, input.evidence.dateOfService.date));
  draft.facts.push(searchFact(s));
  if (s.candidates.length === 0) draft.missing.push(`no candidate code found for "${s.words}"`);
}
