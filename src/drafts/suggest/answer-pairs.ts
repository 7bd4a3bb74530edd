import type { PairEvidence } from '../evidence.ts';
import type { Sources } from './sources.ts';
import type { NcciFact } from './types.ts';

/** E/M visit codes (CPT 99202–99499): with a procedure, the E/M carries 25, not 59. */
export function isEvaluationAndManagement(code: string): boolean {
  return /^99[2-4]\d\d$/.test(code);
}

/** The contract's NCCI fact for one pair. */
export function ncciFact(pair: PairEvidence): NcciFact {
  const e = pair.edit;
  return {
    kind: 'ncci',
    codes: [pair.codes[0], pair.codes[1]],
    edit: e !== null,
    column1: e?.column1 ?? null,
    column2: e?.column2 ?? null,
    modifierIndicator: e?.modifierIndicator ?? null,
    inEffect: e !== null && e.inForce,
  };
}

const PAYER_NOTE = 'Payer policies may still apply.';

/**
 * One paragraph per pair: is an edit in effect on the date of service, which code is column 1
 * and which column 2, and what the modifier indicator allows.
 *
 * - indicator 0: never reported together; no modifier bypasses the edit;
 * - indicator 1: the column 2 code may carry 59 or XE/XS/XP/XU (or an anatomic modifier) only
 *   when the services were distinct, and the record must show it; with an E/M as column 2 the
 *   modifier is 25 on the E/M;
 * - indicator 9, a deleted edit or one not yet effective: no edit on that date;
 * - no edit in the release: say so, and that payer policies may still apply.
 */
export function pairParagraph(pair: PairEvidence, sources: Sources, date: string): string {
  const [a, b] = pair.codes;
  const release = sources.inForce('NCCI PTP');
  const cite = release ? sources.cite(release) : 'NCCI PTP';
  const e = pair.edit;
  if (!e) {
    return `${a} and ${b}: no NCCI PTP edit between them (${cite}), so NCCI does not stop them from being reported together on ${date}. ${PAYER_NOTE}`;
  }
  const columns = `column 1 ${e.column1}, column 2 ${e.column2}, modifier indicator ${e.modifierIndicator}`;
  const why = e.rationale ? ` Edit rationale: ${lowerFirst(e.rationale)}.` : '';
  if (!e.inForce) {
    const when = e.deletionDate && e.deletionDate <= date ? `was deleted effective ${e.deletionDate}` : `takes effect only on ${e.effectiveDate}`;
    return `${a} and ${b}: no NCCI PTP edit is in effect on ${date} (${cite}). The edit listed for the pair (${columns}) ${when}, so NCCI does not stop them from being reported together on that date. ${PAYER_NOTE}`;
  }
  const head = `${a} and ${b}: an NCCI PTP edit is in effect on ${date} (${cite}): ${columns}.`;
  if (e.modifierIndicator === '0') {
    return `${head} ${e.column2} is not reported with ${e.column1} for the same patient on the same date, and no modifier (59, XE, XS, XP, XU or any other) bypasses this edit.${why}`;
  }
  if (e.modifierIndicator === '9') {
    return `${head} Indicator 9 means not applicable: the edit does not restrict the pair. ${PAYER_NOTE}`;
  }
  if (isEvaluationAndManagement(e.column2) && !isEvaluationAndManagement(e.column1)) {
    return `${head} The E/M (${e.column2}) is paid with ${e.column1} only when it was a significant, separately identifiable service beyond the usual pre- and post-procedure work: then modifier 25 goes on ${e.column2}, and the note must show the separate E/M work. 59 and XE/XS/XP/XU are not used on an E/M for this.${why}`;
  }
  return `${head} ${e.column2} (column 2) is not paid with ${e.column1} unless the services were distinct: then 59, or the more specific XE, XS, XP or XU (or an anatomic modifier when the sites differ), goes on ${e.column2}. Use it only when the record shows a separate session or encounter, a different site or organ, or a different practitioner.${why}`;
}

function lowerFirst(s: string): string {
  const t = s.trim().replace(/\.$/, '');
  return /^[A-Z][a-z]/.test(t) ? t[0].toLowerCase() + t.slice(1) : t;
}
