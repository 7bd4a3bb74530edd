import { AMBIGUOUS_STANDALONE, NUMERIC_MODIFIERS, STANDALONE_LETTER_MODIFIERS } from './lexicon.ts';
import { inGibberish, isRegexSpace } from './context.ts';
import {
  type Add,
  followedByAnatomy,
  isAlnumOrHyphen,
  isAsciiLetter,
  isAttachable,
  isDigit,
  isModifierItem,
  isSpacedModifier,
  NOT_AFTER_ITEM,
  parseList,
} from './modifier-items.ts';
import { contextualModifiers, laterInClause, looseAlternative } from './modifier-context.ts';
import type { TableCell } from './tables.ts';
import type { CodeHit } from './types.ts';

/**
 * Modifiers (EXTRACTION.md): reported only when attached to a code (`99213-25`, `27130-LT-22`,
 * `97110GP`, `L3908 RT`) or plainly used as a modifier ("modifier 33", "25 and 59 modifiers",
 * "append 50", "with lt", "-59", "RT/LT", "XU vs XS"). Place-of-service codes are never
 * modifiers ("POS 02", "modifiers 02, 10, 11": two-digit numbers outside the modifier set), and a
 * laterality word before a body part ("the LT knee") is not one.
 */
export function scanModifiers(
  text: string,
  field: 'subject' | 'body',
  codes: CodeHit[],
  cells: TableCell[] = [],
  codesElsewhere = false,
): CodeHit[] {
  const found = new Map<number, CodeHit>();
  const pos = placeOfServiceSpans(text);
  // Offsets inside diagnosis and PCS codes: never the start of a modifier (`W19.XXXA`).
  // (One flag per character offset of the text: cheaper than a set of offsets.)
  const inside = new Uint8Array(text.length);
  for (const c of codes) if (c.system !== 'cpt' && c.system !== 'hcpcs') inside.fill(1, c.start, c.end);
  const fresh: CodeHit[] = [];
  const add = (start: number, written: string, code: string, attachedTo?: string): void => {
    if (pos.has(start) || found.has(start) || inside[start] === 1) return;
    const hit: CodeHit = { code, system: 'modifier', field, start, end: start + written.length, written };
    if (attachedTo) hit.attachedTo = attachedTo;
    found.set(start, hit);
    fresh.push(hit);
  };
  // A message about codes: codes here or in the subject, the word "modifier", places of service.
  const modifierTalk = codesElsewhere || codes.length > 0 || /\b(?:mod(?:if(?:i|ie|ei|e)r)?s?|POS|place of service)\b/i.test(text);

  attached(text, codes, add);
  tableColumn(text, cells, add);
  named(text, add);
  afterVerbs(text, modifierTalk, add);
  standalone(text, codes, add);
  contextualModifiers(text, codes, modifierTalk, add);
  listItemsAfterCodes(text, codes, add);
  if (modifierTalk) numericPairs(text, add);
  // Each hit is looked at once; alternatives found on the way are looked at in turn.
  for (let i = 0; i < fresh.length && i < 200; i++) {
    alternatives(text, fresh[i]!, add);
    looseAlternative(text, fresh[i]!, add);
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

const ATTACHED = /^(\s?[-–/]\s?)([A-Za-z0-9]{2})(?![A-Za-z0-9])/;
const SPACED_LETTER = /^(\s)([A-Za-z]{2}|[A-Za-z]\d)(?![A-Za-z0-9-])/;
const SPACED_NUMBER = /^(\s)(\d{2})(?=\s*(?:[,;)]|\s(?:and|or|on|for|with|&)\b|\s*$|\s*\n|\?|\.(?!\d)))/;
const COMMON_SPACED = new Set(['22', '24', '25', '26', '50', '51', '52', '57', '58', '59', '76', '77', '78', '79', '91', '95']);
const UNITS_GLUE = /^X\d{1,3}$/;

/** Modifiers glued to, hyphenated after, or written right after a procedure code. */
function attached(text: string, codes: CodeHit[], add: Add): void {
  for (const code of codes) {
    if (code.system !== 'cpt' && code.system !== 'hcpcs') continue;
    if (code.written.length > code.code.length) {
      const w = code.written.toUpperCase().replace(/[-–]/g, '');
      const glued = w.slice(code.code.length);
      if (glued.length === 2 && !UNITS_GLUE.test(glued)) add(code.end - 2, glued, glued, code.code);
    }
    const next = text[code.end];
    if (next !== ' ' && next !== '-' && next !== '–' && next !== '/' && next !== '\t' && next !== '(') continue;
    let at = code.end;
    if (code.units !== undefined) {
      const u = /^\s*\(?\s*(?:[xX×*]\s*\d{1,3}|\d{1,2}\s*units?)\)?/.exec(text.slice(at, at + 16));
      if (u) at += u[0].length;
    }
    for (let n = 0; n < 4; n++) {
      // Each regex below is run only when its first characters can match (same results).
      const c0 = text.charCodeAt(at);
      const c1 = text.charCodeAt(at + 1);
      const space0 = isRegexSpace(c0);
      const mayAttach = isJoiner(c0) || (space0 && isJoiner(c1));
      const maySpaced = n === 0 && space0 && (isAsciiLetter(c1) || isDigit(c1));
      if (!mayAttach && !maySpaced) break;
      const after = text.slice(at, at + 12);
      const m = mayAttach ? ATTACHED.exec(after) : null;
      // `99213-25`, `27130-LT-22`; with spaces round the hyphen (`E0431 - pt sats`) only a
      // two-digit modifier or a familiar capital one.
      const spaced = m !== null && /^\s.*\s$/.test(m[1]!);
      const ok = m !== null && (spaced ? isSpacedModifier(m[2]!) && m[2] === m[2]!.toUpperCase() || NUMERIC_MODIFIERS.has(m[2]!) : isAttachable(m[2]!));
      if (m && ok && (n > 0 || m[1]!.trim() !== '/')) {
        const start = at + m[1]!.length;
        add(start, m[2]!, m[2]!.toUpperCase(), code.code);
        at = start + 2;
        continue;
      }
      if (n === 0) {
        const s = isAsciiLetter(c1) ? SPACED_LETTER.exec(after) : null;
        if (s && isSpacedModifier(s[2]!) && !followedByAnatomy(text, at + 3)) {
          add(at + 1, s[2]!, s[2]!.toUpperCase(), code.code);
          at += 3;
          continue;
        }
        const d = isDigit(c1) ? SPACED_NUMBER.exec(after) : null;
        if (d && COMMON_SPACED.has(d[2]!)) {
          add(at + 1, d[2]!, d[2]!, code.code);
          at += 3;
          continue;
        }
      }
      break;
    }
  }
}

/** What an empty `Mod` cell says (`NA`, `no`, `OK`): not modifiers. */
const EMPTY_CELL_WORDS = new Set(['NA', 'NO', 'OK', 'NN', 'XX']);

/** The items of a claim-line table's `Mod` column (`25`, `GP, 59`, `AA P2`). */
function tableColumn(text: string, cells: TableCell[], add: Add): void {
  for (const cell of cells) {
    if (cell.kind !== 'modifier') continue;
    const re = /[A-Za-z0-9]+/g;
    const value = text.slice(cell.start, cell.end);
    for (let m = re.exec(value); m; m = re.exec(value)) {
      if (m[0].length === 2 && !EMPTY_CELL_WORDS.has(m[0].toUpperCase()) && isModifierItem(m[0], false)) add(cell.start + m.index, m[0], m[0].toUpperCase());
    }
  }
}

/** "modifier", "modifiers", "mod", "mod." and the usual typos ("modifer", "modifeir"). */
const MODIFIER_WORD = /\b(?:modif(?:i|ie|ei|e)rs?|mods?\b\.?)(?![A-Za-z])/gi;

/** "modifier 25", "modifiers 25, 59 and XU", "mod -50"; and backwards: "25 and 59 modifiers". */
function named(text: string, add: Add): void {
  MODIFIER_WORD.lastIndex = 0;
  for (let m = MODIFIER_WORD.exec(text); m; m = MODIFIER_WORD.exec(text)) {
    const lead = /^\s*[:(#'"“‘]*\s*(?:code\s*)?/.exec(text.slice(m.index + m[0].length))!;
    const wordEnd = m.index + m[0].length;
    if (parseList(text, wordEnd + lead[0].length, false, add) === 0) laterInClause(text, wordEnd, add);
    backwards(text, m.index, add);
  }
}

/** Items written just before a modifier word: "the 25 modifier", "RT and LT modifiers". */
function backwards(text: string, wordAt: number, add: Add): void {
  const before = text.slice(Math.max(0, wordAt - 60), wordAt);
  const offset = wordAt - before.length;
  let end = before.length;
  for (let n = 0; n < 6; n++) {
    // A match ends at `end` and its tail (blanks, one separator of at most three characters,
    // blanks) is short, so it cannot start before `lo`: the regex is run from there only (same
    // leftmost match as over the whole window).
    const lo = backwardsWindowStart(before, end);
    const m = BACKWARDS_ITEM.exec(before.slice(lo, end));
    if (!m) break;
    const index = lo + m.index;
    const itemStart = index + m[1]!.length;
    if (itemStart > 0 && /[A-Za-z0-9]/.test(before[itemStart - 1 - m[1]!.length] ?? '') && m[1] === '') break;
    if (n === 0 && m[3]!.trim() !== '') break; // the item must touch the word
    if (!isModifierItem(m[2]!, false)) break;
    add(offset + itemStart, m[2]!, m[2]!.toUpperCase());
    end = index;
  }
}

/** An item written before a modifier word, with what may separate it from the end of `before`. */
const BACKWARDS_ITEM = /(-?)([A-Za-z0-9]{2})(?![A-Za-z0-9])['"”’]?(\s*(?:,|\/|&|\+|\band\b|\bor\b|\bvs\.?)?\s*)$/i;

/**
 * Lowest start of a BACKWARDS_ITEM match ending at `end` of `s`: before the tail of blanks, at
 * most three separator characters and blanks come at most a quote, two item characters and `-`.
 */
function backwardsWindowStart(s: string, end: number): number {
  let e = end;
  while (e > 0 && isRegexSpace(s.charCodeAt(e - 1))) e--;
  let lo = e;
  for (let k = 0; k <= 3 && e - k >= 0; k++) {
    let p = e - k;
    while (p > 0 && isRegexSpace(s.charCodeAt(p - 1))) p--;
    if (p < lo) lo = p;
  }
  return Math.max(0, lo - 4);
}

const VERB =
  /(?:->|=>|→)\s*|\b(?:append(?:ed|ing|s)?|gets?|getting|without|w\/o|add(?:ed|ing|s)?|attach(?:ed|ing|es)?|apply|applied|applying|use|used|uses|using|with|w\/|need(?:s|ed)?|requires?|required|put|report(?:ed|ing)? with|bill(?:ed|ing)? with|missing|remov(?:e|ed|es|ing)|drop(?:s|ped|ping)?|want(?:s|ed)?|swap(?:s|ped|ping)?|(?:take|took|taking) off)\s+(?:an?\s+|the\s+)?/gi;

/** "append 50", "with lt", "use 59 or XU": a modifier right after a verb of attaching. */
function afterVerbs(text: string, modifierTalk: boolean, add: Add): void {
  VERB.lastIndex = 0;
  for (let m = VERB.exec(text); m; m = VERB.exec(text)) {
    const strongVerb = /^(?:append|attach)/i.test(m[0]);
    parseList(text, m.index + m[0].length, true, add, modifierTalk || strongVerb);
  }
}

/** The distinctive capital modifiers that may stand alone (not the ambiguous ones), as one regex. */
const STANDALONE_CAPS = new RegExp(
  [...STANDALONE_LETTER_MODIFIERS].filter((t) => !AMBIGUOUS_STANDALONE.has(t) && /^(?:[A-Z][A-Z0-9]|[0-9]P)$/.test(t)).join('|'),
  'g',
);
/** `-25` on its own; sticky: tried at each hyphen (see {@link standalone}). */
const HYPHEN_ITEM = /(?:^|[\s(,;/])-([A-Za-z0-9]{2})(?![A-Za-z0-9%.])/y;
/** `RT/LT`, `XU / XS`; sticky: tried only where a pair can start (see {@link standalone}). */
const SLASH_PAIR = /(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9])\s*\/\s*([A-Za-z][A-Za-z0-9])(?![A-Za-z0-9])/y;

/** Distinctive capitals (`XU`, `KX`, `GA`), `-25` on its own, and pairs such as `RT/LT`. */
function standalone(text: string, codes: CodeHit[], add: Add): void {
  // Two-character capital tokens (`(?<![A-Za-z0-9-])([A-Z][A-Z0-9]|[0-9]P)(?![A-Za-z0-9-])`) that
  // are distinctive modifiers. Only members of that set can be reported, so the scan looks for
  // them directly and checks the token boundaries by hand: same hits, in the same order.
  const n = text.length;
  STANDALONE_CAPS.lastIndex = 0;
  for (let m = STANDALONE_CAPS.exec(text); m; m = STANDALONE_CAPS.exec(text)) {
    const i = m.index;
    STANDALONE_CAPS.lastIndex = i + 1;
    if (i > 0 && isAlnumOrHyphen(text.charCodeAt(i - 1))) continue;
    if (i + 2 < n && isAlnumOrHyphen(text.charCodeAt(i + 2))) continue;
    const t = m[0];
    if (!inGibberish(text, i, i + 2)) add(i, t, t);
  }
  // Ends of procedure and other codes, one flag per offset (cheaper than a set of offsets).
  const ends = new Uint8Array(text.length + 1);
  for (const c of codes) ends[c.end] = 1;
  // `-25` after a blank or `(,;/`: each match has one hyphen, which fixes its start, so the
  // sticky regex is tried at each hyphen only, in order and without overlaps (the matches of a
  // global scan).
  let hyphenEnd = 0;
  for (let h = text.indexOf('-'); h >= 0; h = text.indexOf('-', h + 1)) {
    const at = h === 0 ? 0 : h - 1;
    if (at < hyphenEnd) continue;
    if (h > 0 && !isHyphenItemLead(text.charCodeAt(h - 1))) continue;
    HYPHEN_ITEM.lastIndex = at;
    const m = HYPHEN_ITEM.exec(text);
    if (!m) continue;
    hyphenEnd = at + m[0].length;
    const item = m[1]!;
    const start = m.index + m[0].length - 2;
    if (ends[start - 1] === 1 || ends[start - 2] === 1) continue; // attached: done already
    if (NOT_AFTER_ITEM.test(text.slice(start + 2, start + 14))) continue;
    if (/[:=]\s*$/.test(text.slice(Math.max(0, start - 4), start - 1))) continue; // `Score: -26`
    if (isModifierItem(item, true)) add(start, item, item.toUpperCase());
  }
  // Pairs around a slash: each match of SLASH_PAIR has one `/`, and its start is fixed by it (the
  // two characters before the blanks before it). So the regex is tried only there, in text
  // order and without overlaps: the matches a global scan would find.
  let lastEnd = 0;
  for (let slash = text.indexOf('/'); slash >= 0; slash = text.indexOf('/', slash + 1)) {
    let q = slash - 1;
    while (q >= 0 && isRegexSpace(text.charCodeAt(q))) q--;
    const at = q - 1;
    if (at < lastEnd) continue;
    SLASH_PAIR.lastIndex = at;
    const m = SLASH_PAIR.exec(text);
    if (!m) continue;
    lastEnd = at + m[0].length;
    const [a, b] = [m[1]!, m[2]!];
    if (!isModifierItem(a, true) || !isModifierItem(b, true)) continue;
    const bStart = m.index + m[0].length - b.length;
    if (followedByAnatomy(text, bStart + 2)) continue;
    add(m.index, a, a.toUpperCase());
    add(bStart, b, b.toUpperCase());
  }
}

const ALTERNATIVE = String.raw`\s*(?:,|\/|&|\bor\b|\band\b|\bvs\b\.?|\bversus\b|\bnot\b|\bnor\b|\binstead of\b|\brather than\b|\bthen\b)\s*`;
const ALTERNATIVE_AFTER = new RegExp(`^${ALTERNATIVE}(-?)(\\d{2}|[A-Z]{2}|[A-Z]\\d)(?![A-Za-z0-9])`);
const ALTERNATIVE_BEFORE = new RegExp(`(?:^|[^A-Za-z0-9-])(-?)(\\d{2}|[A-Z]{2}|[A-Z]\\d)${ALTERNATIVE}$`);

/** A modifier written as the alternative of one already found: "GT not 95", "57 not 25". */
function alternatives(text: string, hit: CodeHit, add: Add): void {
  // Each regex is run only when the separator can be there: after the blanks following the hit
  // its first character (`,` `/` `&` or the first letter of a word of ALTERNATIVE), before
  // the hit its last one.
  let p = hit.end;
  while (p < hit.end + 24 && isRegexSpace(text.charCodeAt(p))) p++;
  if (mayStartAlternative(text.charCodeAt(p))) alternativeAfter(text, hit, add);
  let q = hit.start - 1;
  while (q >= 0 && q >= hit.start - 24 && isRegexSpace(text.charCodeAt(q))) q--;
  if (q >= 0 && mayEndAlternative(text.charCodeAt(q))) alternativeBefore(text, hit, add);
}

/** `,` `/` `&`, or the first letter of `or and vs versus not nor instead rather then`. */
function mayStartAlternative(c: number): boolean {
  return c === 44 || c === 47 || c === 38 || c === 111 || c === 97 || c === 118 || c === 110 || c === 105 || c === 114 || c === 116;
}

/** `,` `/` `&`, or the last character of `or and vs vs. versus not nor of than then`. */
function mayEndAlternative(c: number): boolean {
  return c === 44 || c === 47 || c === 38 || c === 114 || c === 100 || c === 115 || c === 46 || c === 116 || c === 102 || c === 110;
}

function alternativeAfter(text: string, hit: CodeHit, add: Add): void {
  const after = ALTERNATIVE_AFTER.exec(text.slice(hit.end, hit.end + 24));
  if (after) {
    const start = hit.end + after[0].length - after[2]!.length;
    if (isModifierItem(after[2]!, true) && !NOT_AFTER_ITEM.test(text.slice(start + 2, start + 14))) add(start, after[2]!, after[2]!);
  }
}

function alternativeBefore(text: string, hit: CodeHit, add: Add): void {
  const windowStart = Math.max(0, hit.start - 24);
  const before = ALTERNATIVE_BEFORE.exec(text.slice(windowStart, hit.start));
  if (before) {
    const start = windowStart + before.index + before[0].length - before[0].replace(/^[^A-Za-z0-9-]/, '').length + before[1]!.length;
    if (isModifierItem(before[2]!, true)) add(start, before[2]!, before[2]!);
  }
}

const NUMERIC_PAIR = /(?<![\w.$\/-])(\d{2})\s*(?:\bor\b|\bvs\b\.?|\bversus\b|\/)\s*-?(\d{2})(?![\w.%\/])/g;

/** "76 or 77", "25/59": two modifiers offered as alternatives, in a message about codes. */
function numericPairs(text: string, add: Add): void {
  NUMERIC_PAIR.lastIndex = 0;
  for (let m = NUMERIC_PAIR.exec(text); m; m = NUMERIC_PAIR.exec(text)) {
    const [a, b] = [m[1]!, m[2]!];
    if (a === b || !NUMERIC_MODIFIERS.has(a) || !NUMERIC_MODIFIERS.has(b)) continue;
    const end = m.index + m[0].length;
    if (NOT_AFTER_ITEM.test(text.slice(end, end + 14))) continue;
    add(m.index, a, a);
    add(end - 2, b, b);
  }
}

const LIST_ITEM_AFTER_CODE = /^\s*[,;]\s*([A-Z]{2}|[A-Z]\d)(?=\s*(?:[.,;)?!]|$|\n))/;

/** `S62.101A, RT.`: a familiar capital modifier given as an item of a list of codes. */
function listItemsAfterCodes(text: string, codes: CodeHit[], add: Add): void {
  for (const code of codes) {
    // The first character after any blanks must be `,` or `;`.
    let p = code.end;
    while (p < code.end + 12 && isRegexSpace(text.charCodeAt(p))) p++;
    const f = text.charCodeAt(p);
    if (f !== 44 && f !== 59) continue;
    const m = LIST_ITEM_AFTER_CODE.exec(text.slice(code.end, code.end + 12));
    if (m && isSpacedModifier(m[1]!)) add(code.end + m[0].length - m[1]!.length, m[1]!, m[1]!);
  }
}

const POS_WORD = /\b(?:POS|place[\s-]+of[\s-]+service)\b\s*(?:\(\s*POS\s*\)\s*)?(?:codes?\s*)?(?:of\s*|is\s*|=\s*)?[:#]?\s*/gi;

/** Start offsets of two-digit numbers listed after "POS" / "place of service". */
function placeOfServiceSpans(text: string): Set<number> {
  const spans = new Set<number>();
  POS_WORD.lastIndex = 0;
  for (let m = POS_WORD.exec(text); m; m = POS_WORD.exec(text)) {
    let pos = m.index + m[0].length;
    for (let n = 0; n < 8; n++) {
      const item = /^(\d{2})(?!\d)/.exec(text.slice(pos, pos + 3));
      if (!item) break;
      spans.add(pos);
      const sep = /^\s*(?:,|\/|&|\band\b|\bor\b|\bvs\.?|\bversus\b|\bto\b)?\s*(?:POS\s*)?/i.exec(text.slice(pos + 2, pos + 16))!;
      pos += 2 + sep[0].length;
    }
  }
  return spans;
}

/** `-`, `–` or `/`: what joins a modifier to a code (ATTACHED). */
function isJoiner(c: number): boolean {
  return c === 45 || c === 8211 || c === 47;
}

/** What may stand before the hyphen of a lone `-25`: a blank or `(`, `,`, `;`, `/`. */
function isHyphenItemLead(c: number): boolean {
  return isRegexSpace(c) || c === 40 || c === 44 || c === 59 || c === 47;
}

