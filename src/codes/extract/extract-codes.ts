import { scanCodes } from './scan-codes.ts';
import { scanModifiers } from './modifiers.ts';
import { tableCells } from './tables.ts';
import type { CodeHit, ExtractedCodes, ExtractInput, ExtractOptions } from './types.ts';

/**
 * Every billing code the sender mentions, by the rules of EXTRACTION.md: the five lists of the
 * contract (de-duplicated, in order of first appearance, subject before body, normal form) and,
 * for each mention, where it was found, as written, with units, the code a modifier is attached
 * to and the range it is an endpoint of.
 *
 * Pure and synchronous. `input.body` must already be the new text of the message (see
 * `extractNewText`); offsets of body hits are offsets into it. Shape and context decide the
 * category; `options.isKnownCode` is consulted only where both HCPCS and ICD-10-CM read.
 */
export function extractCodes(input: ExtractInput, options: ExtractOptions = {}): ExtractedCodes {
  const subjectHits = scanField(input.subject, 'subject', options, false);
  const hits = [...subjectHits, ...scanField(input.body, 'body', options, subjectHits.length > 0)];
  const result: ExtractedCodes = { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [], hits };
  // One seen-set per list (no `system:code` key strings per hit).
  const seen = { cpt: new Set<string>(), hcpcs: new Set<string>(), icd10cm: new Set<string>(), icd10pcs: new Set<string>(), modifier: new Set<string>() };
  for (const hit of hits) {
    const set = seen[hit.system];
    if (set.has(hit.code)) continue;
    set.add(hit.code);
    listFor(result, hit.system).push(hit.code);
  }
  return result;
}

/** `codesElsewhere`: the subject names codes, so the body talks about codes too. */
function scanField(text: string, field: 'subject' | 'body', options: ExtractOptions, codesElsewhere: boolean): CodeHit[] {
  if (!text) return [];
  const cells = tableCells(text);
  const codes = scanCodes(text, field, options, cells);
  const modifiers = scanModifiers(text, field, codes, cells, codesElsewhere);
  return mergeByPosition(codes, modifiers);
}

/**
 * Codes and modifiers in text order (by start, the longer hit first at equal starts). Both
 * lists are already in that order (one hit per start each), so a stable merge gives what
 * sorting the concatenation would, codes before modifiers on a tie.
 */
function mergeByPosition(codes: CodeHit[], modifiers: CodeHit[]): CodeHit[] {
  const out: CodeHit[] = [];
  let i = 0;
  let j = 0;
  while (i < codes.length && j < modifiers.length) {
    const a = codes[i]!;
    const b = modifiers[j]!;
    if ((a.start - b.start || b.end - a.end) <= 0) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  while (i < codes.length) out.push(codes[i++]!);
  while (j < modifiers.length) out.push(modifiers[j++]!);
  return out;
}

function listFor(result: ExtractedCodes, system: CodeHit['system']): string[] {
  switch (system) {
    case 'cpt':
      return result.cpt;
    case 'hcpcs':
      return result.hcpcs;
    case 'icd10cm':
      return result.icd10cm;
    case 'icd10pcs':
      return result.icd10pcs;
    case 'modifier':
      return result.modifiers;
  }
}

/** The contract's JSON object: exactly the five keys, in the contract's order. */
export function toContractJson(codes: ExtractedCodes): Pick<ExtractedCodes, 'cpt' | 'hcpcs' | 'icd10cm' | 'icd10pcs' | 'modifiers'> {
  return { cpt: codes.cpt, hcpcs: codes.hcpcs, icd10cm: codes.icd10cm, icd10pcs: codes.icd10pcs, modifiers: codes.modifiers };
}
