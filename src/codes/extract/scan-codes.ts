import { isNonCodeContext } from './context.ts';
import { NUMERIC_MODIFIERS } from './lexicon.ts';
import { classifyShape, type Shape } from './shape.ts';
import type { CodeHit, ExtractOptions } from './types.ts';

/** Letters, digits and inner dots: one candidate token (`M54.50`, `J1885x2`, `99213`). */
const TOKEN = /[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*/g;
/** `L-1831`: HCPCS written with a hyphen after the letter. */
const HYPHENATED_HCPCS = /^-(\d{4})(?:[xX](\d{1,3}))?(?![A-Za-z0-9.])/;
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
export function scanCodes(text: string, field: 'subject' | 'body', options: ExtractOptions): CodeHit[] {
  const hits: CodeHit[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    let written = m[0];
    const start = m.index;
    let end = start + written.length;
    let shape: Shape | null;
    if (written.length === 1 && /[A-Va-v]/.test(written)) {
      const hy = HYPHENATED_HCPCS.exec(text.slice(end, end + 12));
      if (!hy) continue;
      end += hy[0].length;
      written = text.slice(start, end);
      TOKEN.lastIndex = end;
      shape = { kind: 'hcpcs', code: written[0]!.toUpperCase() + hy[1]! };
      if (hy[2]) shape.units = Number(hy[2]);
    } else {
      if (written.length < 3) continue;
      shape = classifyShape(written);
    }
    if (!shape) continue;
    if (shape.kind === 'icd10cm' && /^\.(?:[-*]|x\b)/i.test(text.slice(end, end + 3))) continue; // `O09.-`: a family
    const numeric = shape.kind === 'cpt' && !shape.units && !shape.gluedModifier;
    if (isNonCodeContext(text, start, end, numeric)) continue;
    const hit = toHit(text, field, start, end, written, shape, hits[hits.length - 1], options);
    if (hit) hits.push(hit);
  }
  markRanges(text, hits);
  return hits;
}

function toHit(
  text: string,
  field: 'subject' | 'body',
  start: number,
  end: number,
  written: string,
  shape: Shape,
  previous: CodeHit | undefined,
  options: ExtractOptions,
): CodeHit | null {
  const base = { field, start, end, written };
  switch (shape.kind) {
    case 'cpt':
    case 'hcpcs': {
      const hit: CodeHit = { ...base, code: shape.code, system: shape.kind };
      const units = shape.units ?? unitsAfter(text, end);
      if (units !== undefined) hit.units = units;
      return hit;
    }
    case 'icd10cm':
      return { ...base, code: shape.code, system: 'icd10cm' };
    case 'icd10pcs':
      return { ...base, code: shape.code, system: 'icd10pcs' };
    case 'ambiguous': {
      const system = resolveAmbiguous(text, start, end, shape, previous, options);
      if (system === 'icd10cm') return { ...base, code: shape.icd, system };
      const hit: CodeHit = { ...base, code: shape.hcpcs, system };
      const units = unitsAfter(text, end);
      if (units !== undefined) hit.units = units;
      return hit;
    }
  }
}

function unitsAfter(text: string, end: number): number | undefined {
  const m = UNITS_AFTER.exec(text.slice(end, end + 16));
  if (!m) return undefined;
  return Number(m[1] ?? m[2]);
}

/**
 * Letter + 4 digits reads both as HCPCS (`L3908`) and as undotted ICD-10-CM (`M5450`).
 * In order: a glued or attached modifier or units (only procedures take them); a code in the
 * same tight list; the nearest cue word earlier on the line ("dx", "ICD" vs "HCPCS", "supply",
 * "units"); the optional code-set lookup; and last the HCPCS block layout (M54 has no HCPCS
 * codes, so `M5450` is ICD-10-CM; J18 has, so `J1885` is HCPCS).
 */
function resolveAmbiguous(
  text: string,
  start: number,
  end: number,
  shape: Extract<Shape, { kind: 'ambiguous' }>,
  previous: CodeHit | undefined,
  options: ExtractOptions,
): 'hcpcs' | 'icd10cm' {
  if (shape.gluedModifier) {
    // `S5250XA` is ICD-10-CM (X placeholder + 7th character); `L3908RT` is HCPCS + RT.
    return shape.icdSuffixLikely || !shape.blockIsHcpcs ? 'icd10cm' : 'hcpcs';
  }
  const after = text.slice(end, end + 16);
  const attached = ATTACHED.exec(after);
  if (attached && (!/^\d{2}$/.test(attached[1]!) || NUMERIC_MODIFIERS.has(attached[1]!))) return 'hcpcs';
  if (/^\s*[xX×*]\s*\d{1,3}\b/.test(after)) return 'hcpcs';

  if (!shape.blockIsHcpcs) return 'icd10cm'; // no HCPCS codes in this block (M54, R07, K59)

  if (previous && (previous.system === 'icd10cm' || previous.system === 'hcpcs') && start - previous.end <= 12) {
    if (LIST_GAP.test(text.slice(previous.end, start))) return previous.system;
  }

  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(Math.max(lineStart, start - 80), start);
  const icdAt = lastIndex(ICD_CUE, before);
  const hcpcsAt = lastIndex(HCPCS_CUE, before);
  if (icdAt > hcpcsAt) return 'icd10cm';
  if (hcpcsAt > icdAt) return 'hcpcs';

  if (options.isKnownCode) {
    const icd = options.isKnownCode('icd10cm', shape.icd);
    const hcpcs = options.isKnownCode('hcpcs', shape.hcpcs);
    if (icd && !hcpcs) return 'icd10cm';
    if (hcpcs && !icd) return 'hcpcs';
  }
  return 'hcpcs';
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
    const between = text.slice(a.end, b.start);
    if (!/^\s*(?:[-–—]|through|thru)\s*$/i.test(between)) continue;
    const range = { from: a.code, to: b.code };
    a.range = range;
    b.range = range;
  }
}
