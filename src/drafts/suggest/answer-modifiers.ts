import type { ModifierEvidence, PairEvidence } from '../evidence.ts';
import { isEvaluationAndManagement } from './answer-pairs.ts';
import { joinAnd, type Sources } from './sources.ts';

/** Modifiers that mark a column 2 code as distinct under an indicator-1 PTP edit. */
export const DISTINCT_MODIFIERS = new Set(['59', 'XE', 'XS', 'XP', 'XU']);
/** Anatomic modifiers (NCCI Policy Manual, ch. I): they name the side or digit. */
export const ANATOMIC_MODIFIERS = new Set([
  'LT', 'RT', 'E1', 'E2', 'E3', 'E4', 'FA', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9',
  'TA', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'LC', 'LD', 'RC', 'LM', 'RI',
]);

export interface ModifierContext {
  sources: Sources;
  date: string;
  /** Every pair of procedure codes named, with its edit. */
  pairs: PairEvidence[];
  /** Procedure codes named (CPT and HCPCS), in order of mention. */
  procedures: string[];
  /** Placement notes already written (RT and LT on the same orthosis get the note once). */
  said: Set<string>;
}

/**
 * What a modifier means (the HCPCS Level II descriptor; for a CPT modifier, that its descriptor
 * is not licensed) and whether it sits on the right code: 59/X{EPSU} on the column 2 code of an
 * indicator-1 edit; 25 on the E/M billed the same day as a procedure; an anatomic modifier on a
 * HCPCS orthosis (L code) or on the procedure whose site it names. Then the documentation that
 * supports it. Where the data cannot tell, it says what to check rather than guessing.
 */
export function modifierParagraph(m: ModifierEvidence, code: string | null, ctx: ModifierContext): string {
  const parts = [meaning(m, ctx)];
  const placement = DISTINCT_MODIFIERS.has(m.modifier)
    ? distinctPlacement(m.modifier, code, ctx)
    : m.modifier === '25'
      ? evaluationPlacement(code, ctx)
      : ANATOMIC_MODIFIERS.has(m.modifier)
        ? anatomicPlacement(m.modifier, code, ctx.said)
        : code
          ? `Written on ${code}. The code data does not say when a payer requires ${m.modifier}; check the payer's instructions and that the record supports it.`
          : `The question does not say which code it goes on.`;
  parts.push(placement);
  return parts.join(' ');
}

function meaning(m: ModifierEvidence, ctx: ModifierContext): string {
  if (m.kind === 'cpt') {
    return m.cptText
      ? `Modifier ${m.modifier}: ${m.description} (CPT).`
      : `Modifier ${m.modifier} is a CPT modifier; its descriptor is licensed by the AMA and not quoted here.`;
  }
  const cite = ctx.sources.citeSystem('HCPCS');
  if (m.problems.length) return `${m.problems.join(' ')} (${cite})`;
  return `Modifier ${m.modifier} (${cite}): ${m.description.replace(/\.?\s*$/, '.')}`;
}

function pairsWith(code: string | null, ctx: ModifierContext): PairEvidence[] {
  return ctx.pairs.filter((p) => code === null || p.codes.includes(code));
}

function distinctPlacement(mod: string, code: string | null, ctx: ModifierContext): string {
  const pairs = pairsWith(code, ctx);
  if (pairs.length === 0) {
    const on = code ? `on ${code} ` : '';
    return `${mod} ${on}only matters against another procedure on the same date (an NCCI PTP edit with modifier indicator 1); name the other code to check the edit.`;
  }
  const lines = pairs.map((p) => distinctForPair(mod, code, p, ctx.date));
  const doc = 'The record must show what makes the service distinct: a separate encounter (XE), a separate organ or structure (XS), a different practitioner (XP) or a service that does not overlap the main one (XU); CMS prefers these to 59 where one fits.';
  return `${lines.join(' ')} ${doc}`;
}

function distinctForPair(mod: string, code: string | null, p: PairEvidence, date: string): string {
  const e = p.edit;
  const [a, b] = p.codes;
  // Without an NCCI release "no edit" is unknown, not "none" (the reply says so once, under the pairs).
  if (!p.checked) return `Whether ${a} and ${b} need ${mod} depends on an NCCI PTP edit that was not checked here.`;
  if (!e || !e.inForce || e.modifierIndicator === '9') {
    return `No NCCI PTP edit between ${a} and ${b} is in effect on ${date}, so NCCI does not call for ${mod} on either of them.`;
  }
  if (e.modifierIndicator === '0') {
    return `${mod} cannot help with ${e.column1} and ${e.column2}: the edit has modifier indicator 0, so no modifier bypasses it.`;
  }
  if (isEvaluationAndManagement(e.column2)) {
    return `With ${e.column1}, the E/M ${e.column2} takes modifier 25, not ${mod}.`;
  }
  if (code === e.column1) {
    return `${mod} is on the wrong code: it belongs on ${e.column2}, the column 2 code of the edit with ${e.column1} (modifier indicator 1), not on ${e.column1}.`;
  }
  if (code === e.column2) {
    return `${mod} on ${e.column2} is the right place: ${e.column2} is the column 2 code of the edit with ${e.column1} (modifier indicator 1).`;
  }
  return `If used, ${mod} goes on ${e.column2}, the column 2 code of the edit with ${e.column1} (modifier indicator 1).`;
}

function evaluationPlacement(code: string | null, ctx: ModifierContext): string {
  const visits = ctx.procedures.filter(isEvaluationAndManagement);
  const others = ctx.procedures.filter((c) => !isEvaluationAndManagement(c) && !/^J\d{4}$/.test(c));
  const doc = 'The note must show a significant, separately identifiable E/M beyond the usual pre- and post-procedure work (the same diagnosis may be used).';
  if (code && !isEvaluationAndManagement(code)) {
    const target = visits[0] ? `on the E/M (${visits[0]})` : 'on the E/M';
    return `25 is on the wrong code: ${code} is not an E/M. It belongs ${target} billed the same day as the procedure. ${doc}`;
  }
  const visit = code ?? visits[0] ?? null;
  if (!visit) return `25 goes on an E/M billed the same day as a procedure; the question names no E/M code. ${doc}`;
  if (others.length === 0) return `25 on ${visit} is only needed when a procedure (or other service) is billed the same day; the question names none. ${doc}`;
  return `25 on ${visit} is the right place: it is the E/M billed the same day as ${joinAnd(others)}. ${doc}`;
}

function anatomicPlacement(mod: string, code: string | null, said: Set<string>): string {
  if (!code) return `${mod} names a side or site; the question does not say which code it goes on.`;
  if (/^L\d{4}$/.test(code)) {
    if (said.has(`orthosis:${code}`)) return `${mod} on ${code}: the same applies.`;
    said.add(`orthosis:${code}`);
    return `${mod} on ${code} is the right kind of modifier: an orthosis or prosthesis (HCPCS L code) is reported with RT or LT to show the side, and a pair for both sides goes on two lines, one RT and one LT, each supported by the order and the record.`;
  }
  return `${mod} on ${code} names the side or site of the service; the record must show that site, and where an NCCI edit has modifier indicator 1 it can show that two services were on different sites.`;
}
