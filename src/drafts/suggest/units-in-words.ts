import type { CodeHit } from '../../codes/extract/types.ts';

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, twenty: 20, thirty: 30, forty: 40, fifty: 50,
};
const COUNT = '(\\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|twenty|thirty|forty|fifty)';
/** "8 units of J1885", "eight units J1885", "units: 8 of 97110". */
const BEFORE = new RegExp(`\\b${COUNT}\\s*(?:units?|u)\\s*(?:of\\s+|for\\s+|x\\s+)?(?:code\\s+|cpt\\s+|hcpcs\\s+)?$`, 'i');
/** "J1885 (8 units)", "97110 for 6 units", "J1885 - billed eight units", "97110, 4 units". */
const AFTER = new RegExp(`^\\s*[-–:,(=]?\\s*(?:[a-z]+\\s+){0,3}\\(?\\s*(?:${COUNT}\\s*(?:units?|u)\\b|(?:qty|quantity)(?:\\s+of)?[\\s:=]*${COUNT}\\b|[x×*]\\s?(\\d{1,3})\\b(?![.,]\\d))`, 'i');

function toNumber(word: string): number | null {
  const n = /^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS[word.toLowerCase()] ?? null);
  return n !== null && n > 0 && n < 10_000 ? n : null;
}

/**
 * Units written in words next to a procedure code, where the extractor's own units (`x8`,
 * `*2`, `3 units` glued to the code) are missing: "eight units of J1885", "J1885 for 8 units".
 * Only the words right before or right after the code count (up to three filler words, never
 * past the next code).
 */
export function unitsInWords(texts: { subject: string; body: string }, hits: CodeHit[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of hits) {
    if ((h.system !== 'cpt' && h.system !== 'hcpcs') || out[h.code] !== undefined) continue;
    if (h.units !== undefined) {
      out[h.code] = h.units;
      continue;
    }
    const text = texts[h.field];
    // Only up to the next code: "97110 and 97140 x2" gives 97140 the units, not 97110.
    const next = hits.find((x) => x.field === h.field && x.start >= h.end && x.system !== 'modifier');
    const before = BEFORE.exec(text.slice(Math.max(0, h.start - 30), h.start));
    const after = AFTER.exec(text.slice(h.end, Math.min(h.end + 40, next?.start ?? Infinity)));
    const n = toNumber((before?.[1] ?? after?.[1] ?? after?.[2] ?? after?.[3]) ?? '');
    if (n !== null) out[h.code] = n;
  }
  return withLoneCount(texts, hits, out);
}

const COUNT_ANYWHERE = new RegExp(`\\b${COUNT}\\s*units?\\b`, 'gi');

/**
 * One procedure code and one count of units anywhere in the question ("Can 20553 be reported
 * twice? We did 2 units."): the count is that code's.
 */
function withLoneCount(texts: { subject: string; body: string }, hits: CodeHit[], out: Record<string, number>): Record<string, number> {
  const procedures = new Set(hits.filter((h) => h.system === 'cpt' || h.system === 'hcpcs').map((h) => h.code));
  if (procedures.size !== 1 || Object.keys(out).length > 0) return out;
  const counts = [...`${texts.subject}\n${texts.body}`.matchAll(COUNT_ANYWHERE)].map((m) => toNumber(m[1] ?? ''));
  const distinct = [...new Set(counts)];
  if (distinct.length !== 1 || distinct[0] === null) return out;
  const [code] = procedures;
  return { [code]: distinct[0] };
}
