/**
 * Text rules of the keyword search, shared by the index and the queries so both sides agree.
 * Words are lower-cased, split on anything but letters and digits (a hyphenated word also
 * yields its joined form: "cock-up" → cock, up, cockup), stop words dropped, and plurals
 * folded by a light stemmer (Porter step 1a plus Greek plurals: orthoses → orthosis).
 */
const STOP = new Set(['a', 'an', 'and', 'or', 'of', 'the', 'to', 'in', 'for', 'by', 'on', 'at', 'as', 'is', 'be', 'per']);

export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.length >= 7 && /[oe]ses$/.test(word)) return `${word.slice(0, -2)}is`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** The search terms of a text, in order, duplicates kept. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/\s+/)) {
    const parts = raw.split(/[^a-z0-9]+/).filter(Boolean);
    if (parts.length > 1 && /^[a-z0-9]+(?:-[a-z0-9]+)+[^a-z0-9]*$/.test(raw.replace(/^[^a-z0-9]+/, ''))) parts.push(parts.join(''));
    for (const p of parts) if (!STOP.has(p)) out.push(stem(p));
  }
  return out;
}

/**
 * Whether two terms are within `max` edits (insert, delete, substitute), cheaply (early exit).
 * `scratch` holds two rows of the distance table; a caller that checks many terms passes its
 * own (see EditScratch), so a search allocates nothing per term.
 */
export function withinEdits(a: string, b: string, max: number, scratch: EditScratch = new EditScratch()): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  if (a === b) return true;
  if (max === 1) return withinOneEdit(a, b);
  if (a.length >= 63 || b.length >= 63) return false;
  let prev = scratch.rowA;
  let cur = scratch.rowB;
  for (let j = 0; j <= b.length; j += 1) prev[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j += 1) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, sub);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return false;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length] <= max;
}

/** The two working rows of withinEdits (terms are under 64 letters). */
export class EditScratch {
  readonly rowA = new Int32Array(64);
  readonly rowB = new Int32Array(64);
}

/** One substitution, insertion, deletion or swap of neighbours ("wirst" → "wrist"), in linear time. */
function withinOneEdit(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Edits tolerated for a query word of this length: none under 4 letters, 2 from 8. */
export function typoBudget(word: string): number {
  if (word.length < 4 || /\d/.test(word)) return 0;
  return word.length >= 8 ? 2 : 1;
}
