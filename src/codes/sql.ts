import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { isPostgres, type Row } from '../shared/db.ts';

// The raw statements of every feature live in src/shared/db.ts; the code database's modules import them from here too.
export { isPostgres, query, run } from '../shared/db.ts';

/**
 * Which database an EntityManager talks to (connection URL and database name): the key under
 * which a CodeCache keeps what it read from that database.
 */
export function databaseKey(em: EntityManager): string {
  const config = em.config;
  return `${config.get('clientUrl') ?? ''}|${config.get('dbName') ?? ''}`;
}

/** Placeholders for an `in (…)` list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function knexRaw(em: EntityManager, sql: string, bindings: unknown[]) {
  const knex = (em as unknown as SqlEntityManager).getKnex();
  const q = knex.raw(sql, bindings as never[]);
  const ctx = em.getTransactionContext();
  if (ctx) q.transacting(ctx);
  return q;
}

/**
 * Insert many rows with one multi-row statement and bound parameters, inside the
 * EntityManager's transaction. Imports use it instead of `em.insertMany`: it skips entity
 * mapping and MikroORM's inlining of every value into the SQL text, which is most of the
 * import time for a 100,000-row file.
 */
export async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const tuple = `(${placeholders(columns.length)})`;
  const sql = `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows.length }, () => tuple).join(', ')}`;
  await knexRaw(em, sql, rows.flat());
}

/** The parts of a better-sqlite3 connection the bulk paths use. */
export interface SqliteConnection {
  prepare(sql: string): {
    run(...params: unknown[]): unknown;
    raw(on?: boolean): { iterate(...params: unknown[]): IterableIterator<unknown[]> };
  };
}

/**
 * The better-sqlite3 connection of the EntityManager's transaction (SQLite only, else null).
 * Bulk reads and writes of a large import use it directly: a statement prepared once and run
 * per row, or iterated row by row, instead of one SQL text per batch.
 */
export async function sqliteConnection(em: EntityManager): Promise<SqliteConnection | null> {
  if (isPostgres(em)) return null;
  const trx = em.getTransactionContext() as { client?: { acquireConnection(): Promise<unknown> } } | undefined;
  if (!trx?.client) return null;
  return (await trx.client.acquireConnection()) as SqliteConnection;
}

/**
 * Insert rows given column by column, inside the EntityManager's transaction: on PostgreSQL one
 * `unnest` of one array per column (a handful of bound parameters however many rows, several
 * times faster than a multi-row VALUES list); on SQLite one prepared statement run per row.
 * `types` are the PostgreSQL array element types (`text`, `bigint`, `boolean`, …).
 */
export async function insertColumns(em: EntityManager, table: string, columns: string[], types: string[], values: unknown[][]): Promise<void> {
  const n = values[0]?.length ?? 0;
  if (n === 0) return;
  if (isPostgres(em)) {
    const sql = `insert into ${table} (${columns.join(', ')}) select * from unnest(${types.map((t) => `?::${t}[]`).join(', ')})`;
    await knexRaw(em, sql, values);
    return;
  }
  const conn = await sqliteConnection(em);
  if (!conn) throw new Error('insertColumns on SQLite needs a transaction');
  const width = columns.length;
  const tuple = `(${placeholders(width)})`;
  const statement = (rows: number) => conn.prepare(`insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows }, () => tuple).join(', ')}`);
  // A hundred rows per statement run: far fewer calls into SQLite than one per row.
  const full = statement(ROWS_PER_RUN);
  const params = new Array<unknown>(width * ROWS_PER_RUN);
  let i = 0;
  for (; i + ROWS_PER_RUN <= n; i += ROWS_PER_RUN) {
    fillRows(params, values, i, ROWS_PER_RUN);
    full.run(...params);
  }
  if (i < n) {
    const tail = new Array<unknown>(width * (n - i));
    fillRows(tail, values, i, n - i);
    statement(n - i).run(...tail);
  }
}

const ROWS_PER_RUN = 100;

/** Rows `from` … `from + count` of column arrays, flattened row by row (booleans as 0/1 for SQLite). */
function fillRows(out: unknown[], values: unknown[][], from: number, count: number): void {
  const width = values.length;
  for (let r = 0; r < count; r += 1) {
    for (let c = 0; c < width; c += 1) {
      const v = values[c][from + r];
      out[r * width + c] = typeof v === 'boolean' ? Number(v) : v;
    }
  }
}

/** `update <table> set <column> = ? where id in (…)` for many ids, in slices. */
export async function updateByIds(em: EntityManager, table: string, column: string, value: unknown, ids: number[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 5000) {
    const slice = ids.slice(start, start + 5000);
    await knexRaw(em, `update ${table} set ${column} = ? where id in (${placeholders(slice.length)})`, [value, ...slice]);
  }
}

/**
 * Run `fn` with a larger SQLite page cache on the connection (`kib` KiB; PostgreSQL: no
 * change): a million-row import keeps its index pages in memory instead of re-reading them.
 * The connection's default is restored after.
 */
export async function withSqlitePageCache<T>(em: EntityManager, kib: number, fn: () => Promise<T>): Promise<T> {
  if (isPostgres(em)) return fn();
  const conn = em.getConnection();
  const [before] = await conn.execute<Row[]>('pragma cache_size');
  await conn.execute(`pragma cache_size = ${-Math.abs(Math.round(kib))}`);
  try {
    return await fn();
  } finally {
    await conn.execute(`pragma cache_size = ${Number(before?.cache_size ?? -2000)}`);
  }
}
