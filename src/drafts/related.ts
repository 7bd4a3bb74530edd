import type { EntityManager } from '@mikro-orm/core';
import { Case } from '../cases/case.entity.ts';
import { query } from '../codes/sql.ts';
import { rowDate, rowJson } from '../shared/db.ts';
import type { ExtractedCodes } from './evidence.ts';

export interface RelatedCase {
  caseId: number;
  /** `CD-<id>`. */
  caseNumber: string;
  /** `YYYY-MM-DD`: when the past answer was approved. */
  date: string;
  subject: string;
}

/** How many recent approved/sent answers are compared; older ones are not linked. */
export const RELATED_CANDIDATES = 1000;

const PROCEDURE = /^(?:\d{4}[0-9FT]|[A-V]\d{4})$/;
const MODIFIER = /^[0-9A-Z]{2}$/;

type CodeLists = Partial<Record<keyof ExtractedCodes, string[]>>;

/** Billing codes (modifiers left out) and the procedure codes among them, upper-cased. */
function codeSets(codes: string[] | CodeLists): { all: Set<string>; procedures: string[] } {
  const up = (list: string[] | undefined): string[] => (list ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean);
  if (Array.isArray(codes)) {
    // A flat list: the shape decides (CPT 5 characters, HCPCS letter + 4 digits; a 2-character item is a modifier).
    const all = up(codes).filter((c) => !MODIFIER.test(c));
    return { all: new Set(all), procedures: [...new Set(all.filter((c) => PROCEDURE.test(c)))] };
  }
  const procedures = [...new Set([...up(codes.cpt), ...up(codes.hcpcs)])];
  return { all: new Set([...procedures, ...up(codes.icd10cm), ...up(codes.icd10pcs)]), procedures };
}

/** Same code set, or both codes of some pair of procedure codes of the question cited by the past answer. */
function cites(question: ReturnType<typeof codeSets>, past: ReturnType<typeof codeSets>): boolean {
  if (question.all.size > 0 && question.all.size === past.all.size && [...question.all].every((c) => past.all.has(c))) return true;
  const shared = question.procedures.filter((c) => past.procedures.includes(c));
  return shared.length >= 2;
}

/**
 * Past cases whose approved or sent answer cites the same pair of procedure codes (CPT/HCPCS)
 * as the new question, or exactly the same set of codes; most recent approval first, one entry
 * per case, at most `limit` (3). Modifiers are ignored.
 *
 * JSON columns compare differently on SQLite and PostgreSQL, so the comparison runs here over
 * the RELATED_CANDIDATES most recent approved/sent answers (a bounded query on both drivers).
 * `codes` is either the draft's five lists or a flat list of codes (classified by shape).
 */
export async function findRelatedCases(
  em: EntityManager,
  codes: string[] | CodeLists,
  opts: { excludeCaseId: number; limit?: number },
): Promise<RelatedCase[]> {
  const limit = opts.limit ?? 3;
  const question = codeSets(codes);
  if (question.all.size === 0 || limit <= 0) return [];
  // Read-only rows by raw SQL (every draft runs this over up to RELATED_CANDIDATES rows: no
  // entities, nothing in the caller's identity map for its next flush to see).
  const drafts = await query(
    em,
    "select case_id, codes, decided_at, updated_at from draft where state in ('approved', 'sent') and kind = 'answer' and case_id <> ? order by id desc limit ?",
    [opts.excludeCaseId, RELATED_CANDIDATES],
  );
  const latest = new Map<number, Date>();
  for (const d of drafts) {
    if (!cites(question, codeSets(rowJson<CodeLists | string[]>(d.codes) ?? {}))) continue;
    const when = rowDate(d.decided_at) ?? rowDate(d.updated_at)!;
    const caseId = Number(d.case_id);
    const seen = latest.get(caseId);
    if (!seen || when > seen) latest.set(caseId, when);
  }
  const top = [...latest.entries()].sort((a, b) => b[1].getTime() - a[1].getTime() || b[0] - a[0]).slice(0, limit);
  if (top.length === 0) return [];
  const cases = await em.find(Case, { id: { $in: top.map(([id]) => id) } }, { fields: ['id', 'subject'], disableIdentityMap: true });
  const subjects = new Map(cases.map((c) => [c.id, c.subject]));
  return top.map(([caseId, when]) => ({ caseId, caseNumber: `CD-${caseId}`, date: when.toISOString().slice(0, 10), subject: subjects.get(caseId) ?? '' }));
}
