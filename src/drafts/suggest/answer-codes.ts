import type { CodeRef } from '../code-facts.ts';
import type { CodeEvidence } from '../evidence.ts';
import { dedupeRefs, listRefs, type Sources } from './sources.ts';
import type { CodeFact, CodeSystemKey } from './types.ts';

const SYSTEM_KEYS: Record<string, CodeSystemKey> = { 'ICD-10-CM': 'icd10cm', 'ICD-10-PCS': 'icd10pcs', HCPCS: 'hcpcs', CPT: 'cpt' };
const SYSTEM_NAMES: Record<CodeSystemKey, string> = { icd10cm: 'ICD-10-CM', icd10pcs: 'ICD-10-PCS', hcpcs: 'HCPCS Level II', cpt: 'CPT' };

export function systemKey(c: CodeEvidence): CodeSystemKey {
  return SYSTEM_KEYS[c.systemLabel] ?? c.extractedAs;
}

/** A CPT code whose validity and descriptor the code database cannot give (no CPT release loaded). */
/** A code the lookup did not find only because no release of its code set is loaded for the date: unknown is "not checked", not "invalid". */
export function isUncheckedForLackOfRelease(c: CodeEvidence, sources: Sources): boolean {
  return c.status === 'unknown' && systemKey(c) !== 'cpt' && sources.inForce(c.systemLabel) === null;
}

export function isUncheckedCpt(c: CodeEvidence): boolean {
  return systemKey(c) === 'cpt' && !c.cptText && c.status !== 'unknown' && c.status !== 'ended' && c.status !== 'not-yet-valid';
}

export function codeFact(c: CodeEvidence): CodeFact {
  return {
    kind: 'code',
    code: c.code,
    system: systemKey(c),
    // An unchecked CPT code counts as valid when the NCCI/MUE files in force list it (the text says CPT validity was not checked).
    valid: c.status === 'valid' || (c.status === 'unchecked' && c.listedIn.length > 0),
    billable: c.billable,
    header: c.header,
    children: dedupeRefs(c.children).slice(0, 20).map((r) => r.code),
  };
}

export interface CodeParagraphContext {
  sources: Sources;
  date: string;
  /** Closest current codes for an ended, not-yet-valid or unknown code (looked up by the caller). */
  replacements: CodeRef[];
  /** The question asks what the code means: say so when the descriptor cannot be given. */
  descriptorAsked: boolean;
}

const bare = (code: string): string => code.replace('.', '');

/** Children that differ only in the 7th character: the header lacks its 7th character. */
export function seventhCompletions(code: string, children: CodeRef[]): { stem: string; placeholder: boolean } | null {
  if (children.length === 0 || !children.every((c) => bare(c.code).length === 7)) return null;
  const stem = bare(children[0].code).slice(0, 6);
  if (!children.every((c) => bare(c.code).startsWith(stem))) return null;
  return { stem, placeholder: stem.length > bare(code).length };
}

/**
 * What the code database says about one code on the date of service, in a coder's words:
 * valid and billable; a header (its billable codes, and that a more specific code is needed);
 * a missing 7th character (the valid completions); ended or not yet valid (the closest current
 * codes); unknown (the closest codes). The descriptor is the official one, plus the consultants'
 * plain-language text when stored; a CPT descriptor without a licence is never written out.
 */
export function codeParagraph(c: CodeEvidence, ctx: CodeParagraphContext): string {
  const key = systemKey(c);
  const name = SYSTEM_NAMES[key];
  if (isUncheckedCpt(c)) {
    const more = ctx.descriptorAsked ? ' Please check its descriptor in the current CPT codebook.' : '';
    const listed = c.listedIn.length
      ? ` It is listed in the ${c.listedIn.map((l) => (l === 'ncci' ? 'NCCI PTP' : 'MUE')).join(' and ')} files in force on that date.`
      : ' It is in none of the NCCI PTP or MUE files in force on that date: check that it is a current CPT code.';
    return `${c.code} is a CPT code. No CPT release is loaded, so its validity on ${ctx.date} was not checked here, and its descriptor is not quoted (CPT descriptors are licensed by the AMA).${listed}${more}`;
  }
  if (isUncheckedForLackOfRelease(c, ctx.sources)) {
    return `${c.code} has the form of ${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} code, but no ${name} release is loaded for ${ctx.date}, so its validity and descriptor were not checked here.`;
  }
  const cite = ctx.sources.citeSystem(c.systemLabel);
  switch (c.status) {
    case 'unknown':
      return unknownText(c, name, cite, ctx);
    case 'ended':
      return endedText(c, key, cite, ctx);
    case 'not-yet-valid':
      return notYetValidText(c, ctx);
    default:
      return c.header ? headerText(c, cite) : validText(c, name, cite, ctx);
  }
}

function described(c: CodeEvidence): string {
  return c.descriptor && !/not licensed/i.test(c.descriptor) ? c.descriptor : '';
}

function plain(c: CodeEvidence): string {
  return c.plainLanguage ? ` In plain words: ${c.plainLanguage.replace(/\.?\s*$/, '.')}` : '';
}

function validText(c: CodeEvidence, name: string, cite: string, ctx: CodeParagraphContext): string {
  const billable = c.billable === true ? 'valid, billable' : 'valid';
  const text = described(c);
  return `${c.code} is a ${billable} ${name} code on ${ctx.date} (${cite})${text ? `: ${text}` : ''}.${plain(c)}`;
}

function headerText(c: CodeEvidence, cite: string): string {
  const children = dedupeRefs(c.children);
  const seventh = seventhCompletions(c.code, children);
  if (seventh) {
    const x = seventh.placeholder ? ` (with the placeholder X: ${seventh.stem.slice(0, 3)}.${seventh.stem.slice(3)}_)` : '';
    return `${c.code} is not billable as written: it needs a 7th character${x} (${cite}). Valid completions: ${listRefs(children, 20, c.childCount)}.`;
  }
  const text = described(c);
  const list = children.length ? ` Billable codes under it: ${listRefs(children, 10, c.childCount)}.` : '';
  return `${c.code} is a header code (${cite})${text ? `: ${text.replace(/\.?\s*$/, '')}` : ''}. It is not a billable code: a more specific code is needed.${list}`;
}

function unknownText(c: CodeEvidence, name: string, cite: string, ctx: CodeParagraphContext): string {
  const parts = [`${c.code} is not a valid ${name} code on ${ctx.date}: it is not in ${cite}.`];
  const seventh = c.problems.find((p) => /7th character/.test(p));
  if (seventh) parts.push(seventh);
  const near = ctx.replacements.length ? ctx.replacements : c.closest;
  if (near.length) parts.push(`Closest current codes: ${listRefs(near, 5)}. Please check the code as written.`);
  return parts.join(' ');
}

function endedText(c: CodeEvidence, key: CodeSystemKey, cite: string, ctx: CodeParagraphContext): string {
  const when = c.endDate ? ` on ${c.endDate}` : '';
  const was = described(c) ? ` It was: ${described(c)}.` : '';
  // HCPCS files carry each code's termination date; ICD-10-CM drops the code from the next release.
  const source = key === 'hcpcs' ? `termination date in ${cite}` : `${cite} no longer lists it`;
  const parts = [`${c.code} is not valid on ${ctx.date}: it ended${when} (${source}).${was}`];
  parts.push(
    ctx.replacements.length
      ? `Closest current codes: ${listRefs(ctx.replacements, 5)}.`
      : 'No current code was found next to it in the code set: the replacement has to be found by its description.',
  );
  return parts.join(' ');
}

function notYetValidText(c: CodeEvidence, ctx: CodeParagraphContext): string {
  const later = ctx.sources.later(c.systemLabel);
  const first = later ? ` it is first listed in ${ctx.sources.cite(later)}` : ' it takes effect after that date';
  const parts = [`${c.code} is not yet valid on ${ctx.date}:${first}.`];
  if (ctx.replacements.length) parts.push(`Valid on ${ctx.date}: ${listRefs(ctx.replacements, 5)}.`);
  return parts.join(' ');
}
