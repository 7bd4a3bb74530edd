/**
 * Typo-tolerant normalisation of a question's words, so the intent rules can be written against
 * the spelling coders mean ("bundeled", "seperately", "modifer", "untis", "7th charachter").
 *
 * Rules: the text is lower-cased; a word of 5 or more letters that is not itself a keyword and
 * is one edit (insertion, deletion, substitution or swap of two neighbours) away from a keyword
 * with the same first letter becomes that keyword. The first letter must match because typos
 * rarely hit it, and it keeps ordinary words away ("reader" never becomes "header"). Shorter
 * words only change through the explicit {@link KNOWN_TYPOS} list.
 */

/** Words the intent rules look for, whose misspellings should still count. */
const KEYWORDS = [
  'bundle', 'bundled', 'bundles', 'bundling', 'unbundle', 'unbundled', 'unbundling', 'together', 'separately', 'separate',
  'reportable', 'reported', 'billable', 'payable', 'modifier', 'modifiers', 'units', 'maximum', 'limit', 'limits',
  'valid', 'invalid', 'deleted', 'terminated', 'discontinued', 'expired', 'replaced', 'effective', 'specific', 'specificity',
  'character', 'characters', 'description', 'descriptor', 'definition', 'meaning', 'diagnosis', 'appropriate', 'exceed',
  'exceeds', 'exceeded', 'medically', 'unlikely', 'column', 'mutually', 'exclusive', 'inclusive', 'included', 'header',
  'category', 'placeholder', 'seventh', 'correct', 'procedure', 'allowed', 'append', 'appended', 'active', 'still',
  'billed', 'billing', 'denied', 'denial', 'what', 'which', 'stand', 'stands', 'mean', 'means', 'same', 'include', 'includes',
  'cover', 'covered', 'covers', 'exist', 'exists', 'existing', 'mean', 'meaning', 'describe', 'describes',
] as const;

/** Short or first-letter typos that the edit-distance rule cannot safely catch. */
const KNOWN_TYPOS: Record<string, string> = {
  untis: 'units', unts: 'units', uints: 'units', unites: 'units', smae: 'same', saem: 'same', wiht: 'with', whit: 'with',
  modfier: 'modifier', modifer: 'modifier', modifyer: 'modifier', modifers: 'modifiers', mofifier: 'modifier', mods: 'modifiers',
  togehter: 'together', togather: 'together', togeather: 'together', tougether: 'together', bundeled: 'bundled', bundleing: 'bundling',
  seperate: 'separate', seperately: 'separately', seperatly: 'separately', separatly: 'separately', sepratly: 'separately',
  billabe: 'billable', billible: 'billable', billabel: 'billable', bilable: 'billable', vaild: 'valid', vailid: 'valid', valide: 'valid',
  discription: 'description', descripton: 'description', charachter: 'character', charcter: 'character', charater: 'character',
  chracter: 'character', charecter: 'character', whats: "what's", wat: 'what', wut: 'what', teh: 'the', thier: 'their',
  '7nth': '7th', seveth: 'seventh', speficic: 'specific', specfic: 'specific', spesific: 'specific', mueh: 'mue',
  dx: 'dx', diag: 'diagnosis', maxium: 'maximum', maximun: 'maximum', exeed: 'exceed', exceded: 'exceeded', excede: 'exceed',
};

/** Real words one edit away from a keyword, which must stay what they are. */
const PROTECTED = new Set(['modified', 'modifies', 'unite', 'united', 'stall', 'meant', 'valve', 'values', 'seventy', 'colon']);

/** Keywords by length (built once; read only). */
const BY_LENGTH: ReadonlyMap<number, readonly string[]> = (() => {
  const m = new Map<number, string[]>();
  for (const k of KEYWORDS) m.set(k.length, [...(m.get(k.length) ?? []), k]);
  return m;
})();
const KEYWORD_SET: ReadonlySet<string> = new Set<string>(KEYWORDS);

/** True when a and b are at most one edit apart (insert, delete, substitute, or swap neighbours). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la === lb) {
    let i = 0;
    while (i < la && a[i] === b[i]) i++;
    if (i === la) return true;
    // One substitution, or one swap of neighbours.
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [s, l] = la < lb ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  return s.slice(i) === l.slice(i + 1);
}

/** The keyword a word is a typo of, or the word itself. */
export function canonicalWord(word: string): string {
  const known = KNOWN_TYPOS[word];
  if (known) return known;
  if (word.length < 5 || KEYWORD_SET.has(word) || PROTECTED.has(word) || /\d/.test(word)) return word;
  for (const len of [word.length, word.length - 1, word.length + 1]) {
    for (const k of BY_LENGTH.get(len) ?? []) {
      if (k[0] === word[0] && withinOneEdit(word, k)) return k;
    }
  }
  return word;
}

/** Lower-case the text and replace every misspelt keyword by the keyword (punctuation kept). */
export function normalizeWords(text: string): string {
  return text.toLowerCase().replace(/[a-z0-9]+/g, (w) => canonicalWord(w));
}
