import type { EntityManager } from '@mikro-orm/core';
import type { NcciDelta } from './ncci-delta.ts';
import { decodeCode, isoOf, NcciRowSet } from './ncci-rows.ts';
import { insertColumns, query, sqliteConnection, updateByIds } from './sql.ts';

/** Rows read per round trip when PostgreSQL streams a release's edits (keyset pages by id). */
const PAGE = 100_000;
/** Rows per insert statement (PostgreSQL arrays) and per progress report. */
const CHUNK = 50_000;

const STATE_COLUMNS = 'id, column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale, until_key';
const IN_RELEASE = 'from_key <= ? and (until_key is null or until_key > ?)';

type StateRow = [unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown];

function pushState(set: NcciRowSet, r: StateRow): void {
  const [id, column1, column2, prior, effectiveDate, deletionDate, modifierIndicator, rationale, until] = r;
  set.push(
    {
      column1: String(column1), column2: String(column2), priorTo1996: prior === true || prior === 1,
      effectiveDate: String(effectiveDate), deletionDate: (deletionDate as string | null) ?? null,
      modifierIndicator: String(modifierIndicator), rationale: String(rationale),
    },
    Number(id),
    until == null ? 0 : Number(until),
  );
}

/**
 * The stored edits of one release (by its key), in key order with their row ids: what an import
 * compares the new release with. SQLite iterates one prepared statement row by row; PostgreSQL
 * reads pages by id. Neither holds more than a page of row objects at once.
 */
export async function loadNcciState(em: EntityManager, key: number): Promise<NcciRowSet> {
  const set = new NcciRowSet();
  const conn = await sqliteConnection(em);
  if (conn) {
    const stmt = conn.prepare(`select ${STATE_COLUMNS} from ncci_edit where ${IN_RELEASE}`).raw(true);
    for (const r of stmt.iterate(key, key)) pushState(set, r as StateRow);
    return set.sorted();
  }
  for (let after = 0; ;) {
    const rows = await query(em, `select ${STATE_COLUMNS} from ncci_edit where ${IN_RELEASE} and id > ? order by id limit ${PAGE}`, [key, key, after]);
    for (const r of rows) pushState(set, [r.id, r.column1, r.column2, r.prior_to1996, r.effective_date, r.deletion_date, r.modifier_indicator, r.rationale, r.until_key]);
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1].id);
  }
  return set.sorted();
}

const COLUMNS = ['column1', 'column2', 'prior_to1996', 'effective_date', 'deletion_date', 'modifier_indicator', 'rationale', 'from_key', 'until_key'];
const PG_TYPES = ['text', 'text', 'boolean', 'text', 'text', 'text', 'text', 'bigint', 'bigint'];

/** Insert rows of a set (at these positions) valid from `from` until `until(i)` (null: still listed). */
async function insertVersions(em: EntityManager, set: NcciRowSet, positions: number[], from: number, until: (i: number) => number | null, progress: (n: number) => void): Promise<void> {
  for (let start = 0; start < positions.length; start += CHUNK) {
    const slice = positions.slice(start, start + CHUNK);
    const cols: unknown[][] = COLUMNS.map(() => new Array<unknown>(slice.length));
    slice.forEach((i, k) => {
      cols[0][k] = decodeCode(set.c1[i]);
      cols[1][k] = decodeCode(set.c2[i]);
      cols[2][k] = set.prior[i] === 1;
      cols[3][k] = isoOf(set.eff[i]);
      cols[4][k] = isoOf(set.del[i]);
      cols[5][k] = String(set.mod[i]);
      cols[6][k] = set.rationales[set.rat[i]];
      cols[7][k] = from;
      cols[8][k] = until(i);
    });
    await insertColumns(em, 'ncci_edit', COLUMNS, PG_TYPES, cols);
    progress(slice.length);
  }
}

export interface NcciKeys {
  /** The new release's key. */
  m: number;
  /** The key of the release after it in the chain, if any. */
  n: number | null;
}

/**
 * Apply a delta (see ncciDelta): close, copy, extend and insert versions. `p` is the state the
 * delta was computed against (its copies keep their old until_key).
 */
export async function writeNcciDelta(em: EntityManager, delta: NcciDelta, m: NcciRowSet, p: NcciRowSet | null, keys: NcciKeys, onProgress?: (done: number, total: number) => void): Promise<void> {
  const total = delta.insert.length + delta.copies.length + delta.close.length + delta.extend.length;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    onProgress?.(done, total);
  };
  await updateByIds(em, 'ncci_edit', 'until_key', keys.m, delta.close);
  progress(delta.close.length);
  if (p && keys.n !== null && delta.copies.length) {
    await insertVersions(em, p, delta.copies, keys.n, (j) => (p.until[j] === 0 ? null : p.until[j]), progress);
  }
  await updateByIds(em, 'ncci_edit', 'from_key', keys.m, delta.extend);
  progress(delta.extend.length);
  await insertVersions(em, m, delta.insert, keys.m, () => keys.n, progress);
}
