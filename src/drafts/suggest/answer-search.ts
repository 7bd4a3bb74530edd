import type { CodeRef } from '../code-facts.ts';
import { listRefs, type Sources } from './sources.ts';
import type { CodeSystemKey, SearchFact } from './types.ts';

/** The best candidates for a described service or condition, already checked valid on the date. */
export interface SearchResult {
  words: string;
  system: CodeSystemKey | null;
  candidates: (CodeRef & { system: CodeSystemKey })[];
}

const LABELS: Record<CodeSystemKey, string> = { icd10cm: 'ICD-10-CM', icd10pcs: 'ICD-10-PCS', hcpcs: 'HCPCS', cpt: 'CPT' };

export function searchFact(s: SearchResult): SearchFact {
  return { kind: 'search', words: s.words, codes: s.candidates.map((c) => c.code) };
}

/**
 * The top candidates of a descriptor search, presented as candidates to verify, never as the
 * answer: a keyword match is not a coding decision.
 */
export function searchParagraph(s: SearchResult, sources: Sources, date: string): string {
  const systems = [...new Set(s.candidates.map((c) => c.system))];
  const cites = (systems.length ? systems : s.system ? [s.system] : []).map((k) => sources.citeSystem(LABELS[k]));
  const from = cites.length ? ` (${cites.join('; ')})` : '';
  if (s.candidates.length === 0) {
    return `No code matched "${s.words}" in a search of the descriptors${from}; the code has to be chosen from the documentation.`;
  }
  const check = s.candidates.some((c) => c.system === 'icd10cm')
    ? 'Check each against the full descriptor, the Tabular instructions (includes, excludes, code also) and the documentation before choosing one.'
    : 'Check each against the full descriptor and the documentation before choosing one.';
  return `Candidates to verify for "${s.words}", valid on ${date}, from a search of the descriptors${from}: ${listRefs(s.candidates, 3)}. ${check}`;
}
