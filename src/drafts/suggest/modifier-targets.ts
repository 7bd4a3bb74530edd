import type { CodeHit, ExtractedCodes } from '../../codes/extract/types.ts';

/** Between a modifier and the code after it: "59 on 97140", "XS modifier to 20610", "25 for the 99213". */
const BEFORE_CODE =
  /^[\s"'(]*(?:(?:instead of|rather than|or|and|vs\.?|versus|,|\/)\s*M\s*)*(?:mod(?:ifier)?s?[\s:]*)?(?:(?:is|are|be|being|was|required|needed|used|added|appended|placed|put|go|goes|belong|belongs|allowed|appropriate|correct|ok|okay)\s+){0,3}(?:on|to|onto|for|with|w\/)\s+(?:the\s+|a\s+|an\s+)?(?:code\s+|cpt\s+|line\s+(?:for\s+)?)?$/i;
/** Between a code and the modifier after it: "97140 with 59", "20610 and a 25 modifier? no", "97140 gets XS". */
const AFTER_CODE = /^[\s"')]*(?:with|w\/|gets?|needs?|takes?|requires?|carries|carry)\s+(?:a\s+|an\s+|the\s+)?(?:mod(?:ifier)?s?\s*)?-?\s*(?:M\s*(?:and|or|,|\/|&)\s*)*$/i;

const isProcedure = (h: CodeHit) => h.system === 'cpt' || h.system === 'hcpcs';

/**
 * The code each modifier is written on: the extractor's `attachedTo` (`97140-59`, `L3908 RT`),
 * else a procedure code that the words tie it to ("59 on 97140", "97140 with XS"); null when
 * the question does not say; with a single procedure code named, that code. The first mention
 * that says wins.
 */
export function findModifierTargets(extraction: ExtractedCodes, texts: { subject: string; body: string }): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const mod of extraction.modifiers) out[mod] = null;
  for (const field of ['subject', 'body'] as const) {
    const text = texts[field];
    const hits = extraction.hits.filter((h) => h.field === field).sort((a, b) => a.start - b.start);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i];
      if (h.system !== 'modifier' || out[h.code]) continue;
      out[h.code] = h.attachedTo ?? tiedCode(text, hits, i);
    }
  }
  // With one procedure code named, a modifier the words do not tie elsewhere is about that code
  // ("L1902 for the left ankle - do I need LT on it?").
  const procedures = new Set(extraction.hits.filter(isProcedure).map((h) => h.code));
  if (procedures.size === 1) {
    const [only] = procedures;
    for (const mod of Object.keys(out)) out[mod] ??= only;
  }
  return out;
}

/** The text between two offsets, other modifiers in it written `M` ("instead of M on"). */
function between(text: string, hits: CodeHit[], from: number, to: number): string {
  let out = '';
  let at = from;
  for (const m of hits) {
    if (m.system !== 'modifier' || m.start < from || m.end > to) continue;
    out += `${text.slice(at, m.start)}M`;
    at = m.end;
  }
  return out + text.slice(at, to);
}

function tiedCode(text: string, hits: CodeHit[], i: number): string | null {
  const h = hits[i];
  const next = hits.slice(i + 1).find(isProcedure);
  if (next && next.start - h.end <= 40 && BEFORE_CODE.test(between(text, hits, h.end, next.start))) return next.code;
  const prev = hits.slice(0, i).reverse().find(isProcedure);
  if (prev && h.start - prev.end <= 30 && AFTER_CODE.test(between(text, hits, prev.end, h.start).replace(/^\s*[xX*]\s*\d+/, ''))) return prev.code;
  return null;
}
