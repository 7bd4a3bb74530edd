import type { EntityManager } from '@mikro-orm/core';
import type { NcciDelta } from './ncci-delta.ts';
import { decodeCode, isoOf, NcciRowSet } from './ncci-rows.ts';
import { insertColumns, isPostgres, query, sqliteConnection, updateByIds } from './sql.ts';

/** Row ids read per round trip when PostgreSQL streams a release's edits (pages by id range). */
const PAGE = 100_000;
/** Rows per insert statement (PostgreSQL arrays) and per progress report. */
const CHUNK = 50_000;

const IN_RELEASE = 'from_key <= ? and (until_key is null or until_key > ?)';

/** A stored row as the line of a PTP file it came from (built by the database: one string per row to hand over). */
function lineSql(tab: string): string {
  return `column1 || ${tab} || column2 || ${tab} || (case when prior_to1996 then '*' else '' end) || ${tab} || replace(effective_date, '-', '') || ${tab}
    || coalesce(replace(deletion_date, '-', ''), '*') || ${tab} || modifier_indicator || ${tab} || rationale`;
}

function pushLine(set: NcciRowSet, line: string, id: number, until: number): void {
  if (set.appendLine(line, id, until)) return;
  // Not the usual shape (a row stored before this format, say): field by field.
  const [column1, column2, prior, eff, del, mod, ...rationale] = line.split('\t');
  const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  set.pushFields(column1, column2, prior === '*', iso(eff), del === '*' ? null : iso(del), mod, rationale.join(' '), id, until);
}

/**
 * The stored edits of one release (by its key), in key order with their row ids: what an import
 * compares the new release with. SQLite, in a transaction, iterates one prepared statement row
 * by row; otherwise (PostgreSQL) the table is read in ranges of ids. Neither holds more than a
 * page of rows at once.
 *
 * Ranges, not `id > ? order by id limit ?`: right after a bulk import the table has no
 * statistics yet (autovacuum has not analysed it), and PostgreSQL then planned each such page as
 * a scan of the whole table and a sort of every row, spilled to disk: 0.5 s a page, 7 s for a
 * 1.5-million-row release. A range of the primary key plans as an index range scan with or
 * without statistics (2.3 s for the same release). The set is sorted afterwards, so row order
 * within and across ranges does not matter.
 */
export async function loadNcciState(em: EntityManager, key: number, pageIds = PAGE): Promise<NcciRowSet> {
  const set = new NcciRowSet();
  const conn = await sqliteConnection(em);
  if (conn) {
    const stmt = conn.prepare(`select id, until_key, ${lineSql('char(9)')} from ncci_edit where ${IN_RELEASE}`).raw(true);
    for (const r of stmt.iterate(key, key)) pushLine(set, r[2] as string, Number(r[0]), r[1] == null ? 0 : Number(r[1]));
    return set.sorted();
  }
  const [{ min, max }] = await query(em, 'select min(id) as min, max(id) as max from ncci_edit');
  for (let from = Number(min ?? 1) - 1; from < Number(max ?? 0); from += pageIds) {
    const rows = await query(em, `select id, until_key, ${lineSql(isPostgres(em) ? 'chr(9)' : 'char(9)')} as line from ncci_edit where ${IN_RELEASE} and id > ? and id <= ?`, [key, key, from, from + pageIds]);
    for (const r of rows) pushLine(set, String(r.line), Number(r.id), r.until_key == null ? 0 : Number(r.until_key));
  }
  return set.sorted();
}

const COLUMNS = ['column1', 'column2', 'prior_to1996', 'effective_date', 'deletion_date', 'modifier_indicator', 'rationale', 'from_key', 'until_key'];
const PG_TYPES = ['text', 'text', 'boolean', 'text', 'text', 'text', 'text', 'bigint', 'bigint'];

/** A memo of a number → text conversion (a table has a few thousand codes and dates, repeated a million times). */
function memo(fn: (n: number) => string | null): (n: number) => string | null {
  const seen = new Map<number, string | null>();
  return (n) => {
    let v = seen.get(n);
    if (v === undefined) seen.set(n, (v = fn(n)));
    return v;
  };
}

/** Insert rows of a set (at these positions) valid from `from` until `until(i)` (null: still listed). */
async function insertVersions(em: EntityManager, set: NcciRowSet, positions: number[], from: number, until: (i: number) => number | null, progress: (n: number) => void): Promise<void> {
  const code = memo(decodeCode);
  const date = memo(isoOf);
  for (let start = 0; start < positions.length; start += CHUNK) {
    const slice = positions.slice(start, start + CHUNK);
    const cols: unknown[][] = COLUMNS.map(() => new Array<unknown>(slice.length));
    slice.forEach((i, k) => {
      cols[0][k] = code(set.c1[i]);
      cols[1][k] = code(set.c2[i]);
      cols[2][k] = set.prior[i] === 1;
      cols[3][k] = date(set.eff[i]);
      cols[4][k] = date(set.del[i]);
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

const INDEXES = [
  'create index ncci_edit_column1_column2_index on ncci_edit (column1, column2)',
  'create index ncci_edit_column2_index on ncci_edit (column2)',
];

/**
 * Whether to drop the indexes for a bulk insert and build them after: a B-tree built from the
 * whole table costs a fraction of a million random index inserts. On SQLite when the insert is
 * large against the table (readers keep their snapshot meanwhile); on PostgreSQL only into an
 * empty table (dropping an index locks the table, and an empty table has no NCCI release that
 * a reader could be looking up).
 */
async function rebuildIndexes(em: EntityManager, inserts: number): Promise<boolean> {
  if (inserts < 100_000) return false;
  const sqlite = await sqliteConnection(em);
  const [r] = await query(em, sqlite ? 'select count(*) as n from ncci_edit' : 'select count(*) as n from (select 1 from ncci_edit limit 1) t');
  const rows = Number(r?.n ?? 0);
  return sqlite ? inserts > rows / 2 : rows === 0;
}

/**
 * Apply a delta (see ncciDelta): close, copy, extend and insert versions. `p` is the state the
 * delta was computed against (its copies keep their old until_key).
 */
export async function writeNcciDelta(em: EntityManager, delta: NcciDelta, m: NcciRowSet, p: NcciRowSet | null, keys: NcciKeys, onProgress?: (done: number, total: number) => void): Promise<void> {
  const rebuild = await rebuildIndexes(em, delta.insert.length + delta.copies.length);
  if (rebuild) for (const sql of INDEXES) await query(em, `drop index ${sql.split(' ')[2]}`);
  await writeVersions(em, delta, m, p, keys, onProgress);
  if (rebuild) for (const sql of INDEXES) await query(em, sql);
}

async function writeVersions(em: EntityManager, delta: NcciDelta, m: NcciRowSet, p: NcciRowSet | null, keys: NcciKeys, onProgress?: (done: number, total: number) => void): Promise<void> {
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
