import type { CodeFacts, CodeRef } from '../code-facts.ts';
import type { CodeEvidence } from '../evidence.ts';
import type { SearchResult } from './answer-search.ts';
import type { LookingFor } from './looking-for.ts';
import type { CodeSystemKey } from './types.ts';

type MaybePromise<T> = T | Promise<T>;

/** One hit of a descriptor search. */
export interface SearchCandidate {
  code: string;
  system: string;
  description: string;
  header?: boolean;
}

/**
 * The code database as the suggestion sees it: the evidence port (lookups, NCCI, MUE, releases)
 * plus the descriptor search used for `code-for-words` questions and for the closest current
 * codes of an ended HCPCS code.
 */
export interface SuggestPort extends CodeFacts {
  searchCodes(words: string, options: { system?: CodeSystemKey; limit: number }): MaybePromise<SearchCandidate[]>;
}

const SEARCHABLE = new Set<string>(['icd10cm', 'icd10pcs', 'hcpcs', 'cpt']);
const bare = (code: string) => code.replace('.', '');
const dotted = (flat: string) => (flat.length > 3 ? `${flat.slice(0, 3)}.${flat.slice(3)}` : flat);

/**
 * Closest current codes for each ended, not-yet-valid or unknown code, as of the date.
 * ICD-10-CM: walk up the code's parents to the first one valid on the date; a billable parent
 * is the answer, a header gives its billable codes (those with the same 7th character first).
 * HCPCS: a search of the code set for the old code's descriptor, kept to codes valid on the date.
 */
export async function findReplacements(port: SuggestPort, codes: CodeEvidence[], date: string): Promise<Record<string, CodeRef[]>> {
  const out: Record<string, CodeRef[]> = {};
  for (const c of codes) {
    if (c.status === 'valid') continue;
    if (c.extractedAs === 'icd10cm') out[c.code] = await parentReplacements(port, c.code, date);
    else if (c.extractedAs === 'hcpcs' && c.descriptor) out[c.code] = await searchReplacements(port, c, date);
  }
  return out;
}

async function parentReplacements(port: SuggestPort, code: string, date: string): Promise<CodeRef[]> {
  const flat = bare(code);
  for (let len = flat.length - 1; len >= 3; len--) {
    const parent = flat.slice(0, len);
    if (parent.endsWith('X')) continue;
    const found = await port.lookupCode(dotted(parent), { date, kind: 'icd10cm' });
    if (found.status !== 'valid') continue;
    if (!found.header && found.billable !== false) return [{ code: found.code, description: found.longDescription ?? found.shortDescription ?? '' }];
    const children = found.children ?? [];
    const seventh = flat.length === 7 ? flat[6] : null;
    const same = seventh ? children.filter((r) => bare(r.code).length === 7 && bare(r.code)[6] === seventh) : [];
    return (same.length ? same : children).slice(0, 5).map((r) => ({ code: r.code, description: r.description }));
  }
  return [];
}

/** Words too common in HCPCS descriptors to tie an old code to a new one. */
const GENERIC = new Set(['injection', 'per', 'each', 'includes', 'including', 'other', 'than', 'with', 'without', 'supply', 'sodium', 'acetate', 'hydrochloride', 'unit', 'units', 'device', 'system', 'service', 'services']);

function distinctiveWords(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 5 && !GENERIC.has(w)));
}

async function searchReplacements(port: SuggestPort, c: CodeEvidence, date: string): Promise<CodeRef[]> {
  const hits = await port.searchCodes(c.descriptor ?? '', { system: 'hcpcs', limit: 10 });
  const words = distinctiveWords(c.descriptor ?? '');
  const out: CodeRef[] = [];
  for (const h of hits) {
    if (h.code === c.code || h.system !== 'hcpcs') continue;
    // A replacement names the same drug, item or service: it shares a distinctive word.
    if (![...distinctiveWords(h.description)].some((w) => words.has(w))) continue;
    const found = await port.lookupCode(h.code, { date, kind: 'hcpcs' });
    if (found.status === 'valid') out.push({ code: found.code, description: h.description });
    if (out.length === 3) break;
  }
  return out;
}

/**
 * The best three candidates for a described service or condition: a descriptor search (in the
 * code set the question names, else all), kept to codes valid and billable on the date.
 */
export async function searchCandidates(port: SuggestPort, looking: LookingFor, date: string): Promise<SearchResult> {
  const hits = await port.searchCodes(looking.words, { ...(looking.system ? { system: looking.system } : {}), limit: 15 });
  const candidates: SearchResult['candidates'] = [];
  for (const h of hits) {
    if (!SEARCHABLE.has(h.system) || h.header) continue;
    const found = await port.lookupCode(h.code, { date, kind: h.system as CodeSystemKey });
    if (found.status !== 'valid' || found.header || found.billable === false) continue;
    candidates.push({ code: found.code, description: h.description, system: h.system as CodeSystemKey });
    if (candidates.length === 3) break;
  }
  return { words: looking.words, system: looking.system, candidates };
}
