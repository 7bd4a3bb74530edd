import type { CodeSystemKey } from './types.ts';

/** A described service or condition the coder wants a code for. */
export interface LookingFor {
  /** The words to search the descriptors for (`wrist hand orthosis cock-up prefabricated`). */
  words: string;
  /** The code set asked for, when the question says (`ICD-10`, `HCPCS`, `J code`). */
  system: CodeSystemKey | null;
}

/**
 * Triggers after which the description follows, most specific first. Each ends where the
 * description starts; the description runs to the end of the sentence.
 */
const TRIGGERS: RegExp[] = [
  // "trigger thumb right - which icd 10?": the description comes first.
  /(?:^|\n|[.?!]\s)(?=[a-z][a-z ,'/-]{4,80}\s[-–:]\s*(?:which|what)(?:'s| is)?\s+(?:the\s+)?(?:icd[- ]?10(?:[- ]?cm)?|dx|hcpcs|cpt|code)(?:\s+code)?\s*\?)/g,
  /\b(?:what|which)(?:'s|s|\s+is|\s+are)?\s+(?:the\s+)?(?:right\s+|correct\s+|proper\s+|best\s+)?(?:hcpcs|cpt|icd[- ]?10(?:[- ]?(?:cm|pcs))?|dx|diagnosis|[jlegakq][- ]code)\s+(?:(?:code|number)\s+)?(?:is\s+)?for\s+/g,
  /\bcodes?\s+(?:(?:to use|should (?:i|we|you) use|would (?:i|we|you) use|do (?:i|we|you) use|(?:is|are|would be|should be)(?: \w+){0,2}|(?:can|could|should|would) be used)\s+)?(?:for|that (?:describes?|covers?|fits?|matches))\s+/g,
  /\bhow (?:do|would|should|can|to) (?:i |we |you )?(?:code|bill|report)\s+(?:for\s+)?/g,
  /\bwhat (?:(?:hcpcs|cpt|icd[- ]?10|dx|code|codes|[jlegakq][- ]code)\s+)?(?:do|should|would|can) (?:i|we|you) (?:use|bill|code|report) for\s+/g,
  /\bneed (?:a|an|the) (?:icd[- ]?10 |hcpcs |cpt |dx |diagnosis |j )?(?:code|dx) for\s+/g,
  /\b(?:what|which)(?:'s|s|\s+is|\s+are|\s+would be|\s+should be)?\s+(?:the\s+)?(?:right|correct|proper|best|appropriate|applicable)?\s*(?:icd[- ]?10(?:[- ]?(?:cm|pcs))?|dx|diagnosis|cpt|hcpcs|procedure|pcs|[jlegazq]|supply|drug|billing|dme)?[- ]?codes?\s+(?:(?:should|would|do|can|could|will)\s+(?:i|we|you)\s+(?:use|bill|code|report|pick|choose)\s+)?(?:for|fits?|describes?|covers?|matches)\s+/g,
];

/** Words around the description that carry no meaning for the search. */
const LEADING = /^(?:(?:a|an|the|this|that|our|my|some|pt|patient|patients|pt's|patient's|with|w\/|dx of|diagnosis of|billing|coding|reporting|of|for|to)\s+)+/;
const TRAILING = /\s+(?:(?:please|pls|thanks?|thank you|thx|in icd[- ]?10(?:[- ]?cm)?|in hcpcs|in cpt|for (?:medicare|medicaid|commercial|bcbs|the claim)|on the claim|for dos\b.*|dos\b.*|for \d{4}|in \d{4}|now|today|here|again|instead)\s*)+$/;

/** The code set a question names, from its wording. */
export function systemAskedFor(text: string): CodeSystemKey | null {
  if (/\bicd[- ]?10[- ]?pcs\b|\bpcs\b|\binpatient procedure\b/.test(text)) return 'icd10pcs';
  if (/\bicd[- ]?10(?:[- ]?cm)?\b|\bicd\b|\bdx\b|\bdiagnos[ie]s\b|\bdiagnosis code\b|\bz code\b/.test(text)) return 'icd10cm';
  if (/\bhcpcs\b|\b[jlegakq][- ]codes?\b|\bdme\b|\bsuppl(?:y|ies)\b|\borthos[ie]s\b|\bdrug\b/.test(text)) return 'hcpcs';
  if (/\bcpt\b/.test(text)) return 'cpt';
  return null;
}

/**
 * The description a `code-for-words` question asks a code for, or null when none can be read.
 * `text` is the intent core's normalised text (lower case, codes as placeholders).
 */
export function findLookingFor(text: string): LookingFor | null {
  for (const trigger of TRIGGERS) {
    // matchAll works on a copy of the regex: the table's lastIndex is never touched.
    for (const m of text.matchAll(trigger)) {
      const words = cleanWords(text.slice(m.index + m[0].length).replace(/\s[-–:]\s*(?:which|what)\b.*$/s, ''));
      if (words) return { words, system: systemAskedFor(text) };
    }
  }
  return null;
}

/** Words that describe nothing on their own ("the right code for the 59?" names no service). */
const FILLER = new Set(['the', 'and', 'for', 'with', 'this', 'that', 'these', 'those', 'one', 'ones', 'same', 'other', 'modifier', 'mod', 'code', 'codes', 'line', 'claim']);

/** The first sentence of what follows a trigger, without filler words, placeholders or punctuation. */
function cleanWords(rest: string): string | null {
  const sentence = rest.split(/[?!\n]|\.(?:\s|$)|;/)[0] ?? '';
  let words = sentence
    .replace(/\bqq[pdxm]\b/g, ' ')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^a-z0-9'/,\- ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  words = words.replace(LEADING, '').replace(TRAILING, '').replace(/[\s,'/-]+$/, '').trim();
  const meaningful = words.split(' ').filter((w) => w.length > 2 && /[a-z]/.test(w) && !FILLER.has(w));
  if (meaningful.length === 0 || /^(?:it|this|that|them|these|those|dos|date|the claim)$/.test(words)) return null;
  return words;
}
