import { Buffer } from 'node:buffer';
import { isNonCodeContext, isRegexSpace } from './context.ts';
import { TokensBefore } from './tokens-before.ts';
import { isAttachable } from './modifier-items.ts';
import { classifyShape, type Shape } from './shape.ts';
import { columnAt, type TableCell } from './tables.ts';
import type { CodeHit, ExtractOptions } from './types.ts';

/** `L-1831`: HCPCS written with a hyphen after the letter. */
const HYPHENATED_HCPCS = /^-(\d{4})(?:[xX](\d{1,3}))?(?![A-Za-z0-9]|\.\d)/;
/** Units written after a code: `97110 x3`, `97530*2`, `97110 (3 units)`. */
const UNITS_AFTER = /^\s*\(?\s*(?:[xX×*]\s*(\d{1,3})(?![\d.,:/])|(\d{1,2})\s*units?\b)/;
/** A modifier attached with a hyphen: `-25`, `-LT`. */
const ATTACHED = /^\s?[-–]\s?([A-Za-z0-9]{2})(?![A-Za-z0-9])/;
const ICD_CUE = /\b(?:dx|dxs|diag(?:nosis|noses|nostic|s)?|icd(?:-?10)?(?:-?cm)?|pointers?)\b/gi;
const HCPCS_CUE =
  /\b(?:hcpcs|supply|supplies|dme|drugs?|injections?|inj|orthos[ie]s|orthotics?|braces?|ndc|[jlgqkea]-?codes?|units?|cpt|procedures?|px)\b/gi;
const LIST_GAP = /^[\s,;/&]*(?:and|or|&|,|\/|vs\.?)?[\s,;/&]*$/i;

/**
 * Find every code (not modifiers) in one field's text, in order. Shape gives the candidate
 * systems; context rules drop non-codes and settle letter + 4 digits (HCPCS or undotted
 * ICD-10-CM); ranges and units are recorded on the hits.
 */
export function scanCodes(text: string, field: 'subject' | 'body', options: ExtractOptions, cells: TableCell[] = []): CodeHit[] {
  const hits: CodeHit[] = [];
  const open = new Map<CodeHit, AmbiguousShape>();
  const n = text.length;
  let pos = 0;
  // Tokens are runs of letters/digits with inner dots (a dot joins when both neighbours are
  // letters or digits). Only two kinds can be codes: tokens with a digit, and a single letter
  // before a hyphen (`L-1831`). So the scan jumps from one digit, or letter + hyphen, to the
  // next, and reads the token around it; words without a digit are never looked at (most of a
  // message). The tokens found are exactly those of a left-to-right pass.
  // The character codes as an array: the scans below read every character of the text, and an
  // array read is several times cheaper than `charCodeAt`.
  const codes = charCodes(text);
  let nextDigit = -1;
  let nextHyphen = -1;
  const tokens = new TokensBefore();
  while (pos < n) {
    if (nextDigit < pos) nextDigit = findDigit(codes, pos);
    if (nextHyphen < pos) nextHyphen = findLetterHyphen(text, pos);
    const at = nextDigit < nextHyphen ? nextDigit : nextHyphen;
    if (at >= n) break;
    let start = at;
    for (;;) {
      if (start > 0 && isAlnum(codes[start - 1]!)) start--;
      else if (start > 1 && codes[start - 1] === 46 && isAlnum(codes[start - 2]!)) start -= 2;
      else break;
    }
    pos = start;
    let c: number;
    let digits = 0;
    while (pos < n) {
      c = codes[pos]!;
      if (isAlnum(c)) {
        if (c <= 57) digits++;
        pos++;
      } else if (c === 46 && pos + 1 < n && isAlnum(codes[pos + 1]!)) pos++;
      else break;
    }
    let end = pos;
    let written: string;
    let shape: Shape | null;
    if (end - start === 1 && text.charCodeAt(end) === 45 && /[A-Va-v]/.test(text[start]!)) {
      const hy = HYPHENATED_HCPCS.exec(text.slice(end, end + 12));
      if (!hy || (start > 0 && isAlnum(text.charCodeAt(start - 1)))) continue;
      end += hy[0].length;
      pos = end;
      written = text.slice(start, end);
      shape = { kind: 'hcpcs', code: written[0]!.toUpperCase() + hy[1]! };
      if (hy[2]) shape.units = Number(hy[2]);
    } else {
      if (digits === 0 || end - start < 3 || end - start > 9) continue;
      // All digits: only five (CPT) can be a code (`2025`, `0144`, `555`: classifyShape says null).
      if (digits === end - start && digits !== 5) continue;
      written = text.slice(start, end);
      shape = classifyShape(written);
    }
    if (!shape) continue;
    if (shape.kind === 'icd10cm' && isFamilyOrRemark(text, start, end, shape, written)) continue;
    const numeric = shape.kind === 'cpt' && !shape.units && !shape.gluedModifier;
    if (isNonCodeContext(text, start, end, numeric, codes, tokens)) continue;
    if (shape.kind === 'ambiguous') {
      const hit: CodeHit = { code: shape.hcpcs, system: 'hcpcs', field, start, end, written };
      const decided = resolveFromContext(text, start, end, shape, cells);
      if (decided) setAmbiguous(text, hit, shape, decided);
      else open.set(hit, shape);
      hits.push(hit);
      continue;
    }
    const hit: CodeHit = { code: shape.code, system: shape.kind, field, start, end, written };
    if (shape.kind === 'cpt' || shape.kind === 'hcpcs') {
      const units = shape.units ?? unitsAfter(text, end);
      if (units !== undefined) hit.units = units;
    }
    hits.push(hit);
  }
  if (open.size > 0) resolveOpen(text, hits, open, options);
  markRanges(text, hits);
  return hits;
}

type AmbiguousShape = Extract<Shape, { kind: 'ambiguous' }>;

/** An ICD-10-CM shape that is not a code: a family (`O09.-`), a wildcard category (`M25.56-`, `S72.0-`, not the first code of a range), or a remark code. */
function isFamilyOrRemark(text: string, start: number, end: number, shape: Extract<Shape, { kind: 'icd10cm' }>, written: string): boolean {
  if (text.charCodeAt(end) === 46 && /^\.(?:[-*]|x\b)/i.test(text.slice(end, end + 3))) return true;
  if (shape.dotted && text.charCodeAt(end) === 45 && !isAlnum(text.charCodeAt(end + 1) || 32) && !/^-\s*[A-Za-z]\d/.test(text.slice(end, end + 6))) return true;
  return isRemarkCode(text, start, written);
}

function setAmbiguous(text: string, hit: CodeHit, shape: AmbiguousShape, system: 'hcpcs' | 'icd10cm'): void {
  hit.system = system;
  if (system === 'icd10cm') {
    hit.code = shape.icd;
    delete hit.units;
    return;
  }
  hit.code = shape.hcpcs;
  const units = unitsAfter(text, hit.end);
  if (units !== undefined) hit.units = units;
}

/** RARC remark codes (`N290`, `M80`, `MA130`) next to an adjustment reason (`CO-16 N290`). */
function isRemarkCode(text: string, start: number, written: string): boolean {
  if (!/^(?:M|N|MA)\d{1,3}$/i.test(written)) return false;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', start);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  return /\b(?:CO|PR|OA|PI|CR)\s?[-–]?\s?\d{1,3}\b|\b(?:rarc|remarks?|carc|denial|denied|eob|era|835)\b/i.test(line);
}

/** Offset of the first digit at or after `from`, or the length. */
function findDigit(codes: Uint16Array, from: number): number {
  const n = codes.length;
  for (let i = from; i < n; i++) {
    const c = codes[i]!;
    if (c <= 57 && c >= 48) return i; // (letters fail the first test)
  }
  return n;
}

/** Whether this machine stores 16-bit numbers little-endian (UTF-16LE bytes read as Uint16Array). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The UTF-16 code units of `text` (what `charCodeAt` returns), as an array. */
function charCodes(text: string): Uint16Array {
  if (LITTLE_ENDIAN) {
    // Native conversion; the view needs an even byte offset (else copy out of the pool).
    const bytes = Buffer.from(text, 'utf16le');
    if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, text.length);
    return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Offset of the first letter A–V (either case) followed by `-` at or after `from`, or `text.length`. */
function findLetterHyphen(text: string, from: number): number {
  for (let h = text.indexOf('-', from + 1); h >= 0; h = text.indexOf('-', h + 1)) {
    const c = text.charCodeAt(h - 1) | 32;
    if (c >= 97 && c <= 118) return h - 1;
  }
  return text.length;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function unitsAfter(text: string, end: number): number | undefined {
  const c = text[end];
  if (c !== ' ' && c !== 'x' && c !== 'X' && c !== '*' && c !== '×' && c !== '(' && c !== '\t') return undefined;
  // UNITS_AFTER needs `x`, `×`, `*` or a digit after the blanks and an optional `(`.
  let p = end;
  while (p < text.length && p < end + 16 && isRegexSpace(text.charCodeAt(p))) p++;
  if (text.charCodeAt(p) === 40 /* ( */) {
    p++;
    while (p < text.length && p < end + 16 && isRegexSpace(text.charCodeAt(p))) p++;
  }
  const f = text.charCodeAt(p);
  if (!(f === 120 || f === 88 || f === 215 || f === 42 || (f >= 48 && f <= 57))) return undefined;
  const m = UNITS_AFTER.exec(text.slice(end, end + 16));
  if (!m) return undefined;
  return Number(m[1] ?? m[2]);
}

const HCPCS_NOUN_AFTER =
  /^\s*(?:\(|-)?\s*(?:brace|orthosis|orthotic|splint|supply|supplies|kit|injection|inj|drug|vial|per\b|units?\b|\d+\s*(?:mg|mcg|ml|units?)\b)/i;

/**
 * Letter + 4 digits reads both as HCPCS (`L3908`) and as undotted ICD-10-CM (`M5450`). Decided
 * here when the token itself says so: a glued or attached modifier or units (only procedures
 * take them); the HCPCS block layout (M54 has no HCPCS codes, so `M5450` is ICD-10-CM); a
 * procedure noun right after; the nearest cue word earlier on the line ("dx", "ICD" against
 * "HCPCS", "supply", "units"). Otherwise left open for {@link resolveOpen}.
 */
function resolveFromContext(text: string, start: number, end: number, shape: AmbiguousShape, cells: TableCell[]): 'hcpcs' | 'icd10cm' | null {
  if (shape.gluedModifier) {
    // `S5250XA` is ICD-10-CM (X placeholder + 7th character); `L3908RT` is HCPCS + RT.
    return shape.icdSuffixLikely || !shape.blockIsHcpcs ? 'icd10cm' : 'hcpcs';
  }
  // A claim-line table's header names the column: `CPT`/`HCPCS`/`Proc` or `Dx`/`ICD-10`.
  const column = cells.length > 0 ? columnAt(cells, start) : null;
  if (column === 'procedure' && shape.blockIsHcpcs) return 'hcpcs';
  if (column === 'diagnosis') return 'icd10cm';
  const after = text.slice(end, end + 24);
  const attached = ATTACHED.exec(after);
  if (attached && isAttachable(attached[1]!)) return 'hcpcs';
  if (/^\s*[xX×*]\s*\d{1,3}\b/.test(after)) return 'hcpcs';
  if (!shape.blockIsHcpcs) return 'icd10cm'; // no HCPCS codes in this block (M54, R07, K59)
  if (HCPCS_NOUN_AFTER.test(after)) return 'hcpcs';

  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // The nearest cue of the same sentence: `dx B35.1 and E11.42. Does G0127 need TA?` has none.
  const before = sameSentence(text.slice(Math.max(lineStart, start - 80), start));
  const icdAt = lastIndex(ICD_CUE, before);
  const hcpcsAt = lastIndex(HCPCS_CUE, before);
  if (icdAt > hcpcsAt) return 'icd10cm';
  if (hcpcsAt > icdAt) return 'hcpcs';
  return null;
}

/**
 * Still-open letter + 4 digit hits take the system of a decided neighbour in the same tight
 * list (`E1165, E1122, N1831`: N18 is not an HCPCS block, so the list is diagnoses); a
 * procedure neighbour (CPT, HCPCS) counts for HCPCS. A dotted diagnosis neighbour does not
 * count (`G0283 and M54.50`). Then the optional code-set lookup, and
 * last the contract's default: letter + 4 digits is HCPCS.
 */
function resolveOpen(text: string, hits: CodeHit[], open: Map<CodeHit, AmbiguousShape>, options: ExtractOptions): void {
  const vote = (a: CodeHit, b: CodeHit): 'hcpcs' | 'icd10cm' | null => {
    if (open.has(b)) return null;
    const [left, right] = a.start < b.start ? [a, b] : [b, a];
    const gap = text.slice(left.end, right.start);
    if (gap.length > 12 || !LIST_GAP.test(gap)) return null;
    // A writer who dots a diagnosis would have dotted this one too: in `G0283 and M54.50` the
    // neighbour says nothing about G0283, while `E1165, E1122, N1831` is a list of diagnoses.
    if (b.system === 'icd10cm' && text.slice(b.start, b.end).includes('.')) return null;
    if (b.system === 'icd10cm') return 'icd10cm';
    if (b.system === 'cpt' || b.system === 'hcpcs') return 'hcpcs';
    return null;
  };
  // Only open hits change; visiting just their indices, in text order, gives the same rounds.
  const openAt: number[] = [];
  for (let i = 0; i < hits.length; i++) if (open.has(hits[i]!)) openAt.push(i);
  for (let round = 0; round < 4 && open.size > 0; round++) {
    let changed = false;
    for (const i of openAt) {
      const hit = hits[i]!;
      const shape = open.get(hit);
      if (!shape) continue;
      const prev = i > 0 ? vote(hit, hits[i - 1]!) : null;
      const next = i + 1 < hits.length ? vote(hit, hits[i + 1]!) : null;
      const icd = prev === 'icd10cm' || next === 'icd10cm';
      const hcpcs = prev === 'hcpcs' || next === 'hcpcs';
      if (icd !== hcpcs) {
        setAmbiguous(text, hit, shape, icd ? 'icd10cm' : 'hcpcs');
        open.delete(hit);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const [hit, shape] of open) {
    let system: 'hcpcs' | 'icd10cm' = 'hcpcs';
    if (options.isKnownCode) {
      const icd = options.isKnownCode('icd10cm', shape.icd);
      const hcpcs = options.isKnownCode('hcpcs', shape.hcpcs);
      if (icd && !hcpcs) system = 'icd10cm';
    }
    setAmbiguous(text, hit, shape, system);
  }
}

/** The tail of `before` after its last sentence end (`.`, `?`, `!` or `;` and a blank). */
function sameSentence(before: string): string {
  for (let i = before.length - 2; i >= 0; i--) {
    const c = before.charCodeAt(i);
    if ((c === 46 || c === 63 || c === 33 || c === 59) && isRegexSpace(before.charCodeAt(i + 1))) return before.slice(i + 1);
  }
  return before;
}

function lastIndex(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let at = -1;
  for (let m = re.exec(s); m; m = re.exec(s)) at = m.index;
  return at;
}

/** `A-B`, `A–B`, `A through B` of two codes of the same system: record the range on both. */
function markRanges(text: string, hits: CodeHit[]): void {
  for (let i = 1; i < hits.length; i++) {
    const a = hits[i - 1]!;
    const b = hits[i]!;
    if (a.system !== b.system) continue;
    if (b.start - a.end > 12) continue;
    // The gap must hold a dash, `through` or `thru` (after any blanks).
    let p = a.end;
    while (p < b.start && isRegexSpace(text.charCodeAt(p))) p++;
    const f = text.charCodeAt(p);
    if (!(f === 45 || f === 8211 || f === 8212 || f === 116 || f === 84)) continue;
    const between = text.slice(a.end, b.start);
    if (!/^\s*(?:[-–—]|through|thru)\s*$/i.test(between)) continue;
    const range = { from: a.code, to: b.code };
    a.range = range;
    b.range = range;
  }
}
