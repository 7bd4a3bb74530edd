import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { compactCode, isIsoDate, today } from './normalize.ts';
import { loadReleases, releaseInForce, toRef } from './releases.ts';
import { query } from './sql.ts';
import type { MueLimit, NcciEdit } from './types.ts';

/** What an NCCI PTP modifier indicator means for the coder. */
export const MODIFIER_INDICATOR_MEANING: Record<'0' | '1' | '9', string> = {
  '0': 'Modifier not allowed: no modifier bypasses this edit; the column 2 code is not paid with the column 1 code for the same patient on the same day.',
  '1': 'Modifier allowed: an NCCI-associated modifier (for example 59, XE, XS, XP, XU, or an anatomic modifier) may bypass the edit when the services are separate and distinct and the record supports it.',
  '9': 'Not applicable: the edit was deleted, so the modifier indicator does not apply.',
};

/** What an MUE adjudication indicator means. */
export const MUE_ADJUDICATION_MEANING: Record<string, string> = {
  '1': 'Line edit: the limit applies to each claim line; units above it on a line are denied, and other lines may be billed with modifiers where appropriate.',
  '2': 'Date of service edit, policy: an absolute limit per day based on policy or regulation; units above it are not paid, even on appeal.',
  '3': 'Date of service edit, clinical: a limit per day based on clinical benchmarks; units above it may be paid on appeal with documentation of medical necessity.',
};

function checkDate(date: string): string {
  if (!isIsoDate(date)) throw new ValidationError(`"${date}" is not a date (YYYY-MM-DD)`);
  return date;
}

/**
 * The NCCI PTP edit between two codes, in either order, from the NCCI release in force on the
 * date (default today); null when that release has no edit for the pair (or no NCCI release is
 * in force). When the pair is listed more than once (deleted and re-added), the row active on
 * the date wins, else the most recent. `active` says whether the edit applies on the date:
 * effective on or before it and not deleted (the deletion date is the first day it no longer
 * applies).
 */
export async function findNcciEdit(em: EntityManager, a: string, b: string, options: { date?: string } = {}): Promise<NcciEdit | null> {
  const date = checkDate(options.date ?? today());
  const [x, y] = [compactCode(a), compactCode(b)];
  const release = releaseInForce(await loadReleases(em), 'ncci', date);
  if (!release) return null;
  const rows = await query(
    em,
    'select column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale from ncci_edit where release_id = ? and column1 = ? and column2 = ? union all select column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale from ncci_edit where release_id = ? and column1 = ? and column2 = ?',
    [release.id, x, y, release.id, y, x],
  );
  if (rows.length === 0) return null;
  const edits = rows.map((r) => {
    const deletionDate = (r.deletion_date as string | null) ?? null;
    const effectiveDate = String(r.effective_date);
    const modifierIndicator = String(r.modifier_indicator) as NcciEdit['modifierIndicator'];
    return {
      column1: String(r.column1), column2: String(r.column2), priorTo1996: Boolean(r.prior_to1996),
      effectiveDate, deletionDate, active: effectiveDate <= date && (deletionDate === null || date < deletionDate),
      modifierIndicator, meaning: MODIFIER_INDICATOR_MEANING[modifierIndicator] ?? `Unknown modifier indicator ${modifierIndicator}`,
      rationale: String(r.rationale), release: toRef(release),
    } satisfies NcciEdit;
  });
  edits.sort((p, q) => Number(q.active) - Number(p.active) || q.effectiveDate.localeCompare(p.effectiveDate));
  return edits[0];
}

/** The MUE practitioner limit of a code from the MUE release in force on the date; null when none. */
export async function findMue(em: EntityManager, code: string, options: { date?: string } = {}): Promise<MueLimit | null> {
  const date = checkDate(options.date ?? today());
  const c = compactCode(code);
  const release = releaseInForce(await loadReleases(em), 'mue', date);
  if (!release) return null;
  const [r] = await query(em, 'select code, value, adjudication_indicator, rationale from mue_limit where release_id = ? and code = ?', [release.id, c]);
  if (!r) return null;
  const ind = String(r.adjudication_indicator);
  return {
    code: c, value: Number(r.value), adjudicationIndicator: ind,
    adjudicationMeaning: MUE_ADJUDICATION_MEANING[ind] ?? `Unknown adjudication indicator ${ind}`,
    rationale: String(r.rationale), release: toRef(release),
  };
}
