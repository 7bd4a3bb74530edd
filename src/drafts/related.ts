import type { EntityManager } from '@mikro-orm/core';
import { Case } from '../cases/case.entity.ts';
import { query } from '../codes/sql.ts';
import { entityColumns, entityFromRow, isPostgres, rowDate } from '../shared/db.ts';
import { AnswerKey, answerKeys, type CodeLists } from './answer-key.entity.ts';

export interface RelatedCase {
  caseId: number;
  /** `CD-<id>`. */
  caseNumber: string;
  /** `YYYY-MM-DD`: when the past answer was approved. */
  date: string;
  subject: string;
}

/** At most this many matching answers (the most recent) are read for each match key of a question. */
export const RELATED_CANDIDATES = 30;

/**
 * Index an approved answer's match keys (./answer-key.entity.ts), in the approval's transaction.
 * Idempotent: an answer approved again (a send retried) keeps one row a key.
 */
export async function indexAnswerKeys(tx: EntityManager, draftId: number, codes: string[] | CodeLists | null | undefined): Promise<void> {
  await tx.nativeDelete(AnswerKey, { draftId });
  const keys = answerKeys(codes);
  if (keys.length > 0) await tx.insertMany(AnswerKey, keys.map((matchKey) => ({ draftId, matchKey })));
}

/**
 * Past cases whose approved or sent answer cites the same pair of procedure codes (CPT/HCPCS)
 * as the new question, or exactly the same set of codes; most recent approval first, one entry
 * per case, at most `limit` (3). Modifiers are ignored. `codes` is either the draft's five lists
 * or a flat list of codes (classified by shape).
 *
 * The answers are found by their match keys (written at approval, answer_key) among every
 * approved answer, however many there are: the database reads, for each of the question's
 * keys, its RELATED_CANDIDATES newest index entries, and those drafts.
 */
export async function findRelatedCases(
  em: EntityManager,
  codes: string[] | CodeLists,
  opts: { excludeCaseId: number; limit?: number },
): Promise<RelatedCase[]> {
  const limit = opts.limit ?? 3;
  const keys = answerKeys(codes);
  if (keys.length === 0 || limit <= 0) return [];
  // The newest index entries of each key (a backward range scan of the (match_key, draft_id)
  // index, however many answers share the key), then those drafts by primary key, in one
  // statement whose plan cannot turn into a scan of every draft whatever the table statistics
  // say: PostgreSQL takes the ids as one array first (`= any(array(...))`, an init plan);
  // SQLite looks each id of an `in (subquery)` up in the draft state index by rowid. Read-only
  // rows by raw SQL (no entities in the caller's identity map for its next flush).
  const newest = keys.map(() => 'select draft_id from (select draft_id from answer_key where match_key = ? order by draft_id desc limit ?) k').join(' union all ');
  const ids = isPostgres(em) ? `= any(array(${newest}))` : `in (${newest})`;
  const rows = await query(
    em,
    `select case_id, decided_at, updated_at from draft where id ${ids} and state in ('approved', 'sent') and kind = 'answer' and case_id <> ?`,
    [...keys.flatMap((k) => [k, RELATED_CANDIDATES]), opts.excludeCaseId],
  );
  const latest = new Map<number, Date>();
  for (const d of rows) {
    const when = rowDate(d.decided_at) ?? rowDate(d.updated_at)!;
    const caseId = Number(d.case_id);
    const seen = latest.get(caseId);
    if (!seen || when > seen) latest.set(caseId, when);
  }
  const top = [...latest.entries()].sort((a, b) => b[1].getTime() - a[1].getTime() || b[0] - a[0]).slice(0, limit);
  if (top.length === 0) return [];
  // Their subjects (decrypted as a find decrypts them), without the ORM's query building.
  const caseRows = await query(em, `select ${entityColumns(em, Case, 'c', 'c_')} from cases c where c.id in (${top.map(() => '?').join(', ')})`, top.map(([id]) => id));
  const subjects = new Map(caseRows.map((r) => entityFromRow(em, Case, r, 'c_')!).map((c) => [c.id, c.subject]));
  return top.map(([caseId, when]) => ({ caseId, caseNumber: `CD-${caseId}`, date: when.toISOString().slice(0, 10), subject: subjects.get(caseId) ?? '' }));
}
