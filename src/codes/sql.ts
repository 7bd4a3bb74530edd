import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';

type Row = Record<string, unknown>;

/**
 * Run one raw SQL query (`?` placeholders, the same text on SQLite and PostgreSQL) inside the
 * EntityManager's transaction if it has one. Lookups use it on their hot path: it skips entity
 * hydration and the identity map, which keeps an exact lookup well under a millisecond.
 */
export async function query(em: EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  return em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());
}

const keys = new WeakMap<object, string>();

/**
 * Which database an EntityManager talks to (connection URL and database name), for the
 * per-process caches of the code database. Memoised per ORM configuration: lookups ask for it
 * on every call.
 */
export function databaseKey(em: EntityManager): string {
  const config = em.config;
  let key = keys.get(config);
  if (key === undefined) {
    key = `${config.get('clientUrl') ?? ''}|${config.get('dbName') ?? ''}`;
    keys.set(config, key);
  }
  return key;
}

/** Placeholders for an `in (…)` list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * Insert many rows with one multi-row statement and bound parameters, inside the
 * EntityManager's transaction. Imports use it instead of `em.insertMany`: it skips entity
 * mapping and MikroORM's inlining of every value into the SQL text, which is most of the
 * import time for a 100,000-row file.
 */
export async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const knex = (em as unknown as SqlEntityManager).getKnex();
  const tuple = `(${placeholders(columns.length)})`;
  const sql = `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows.length }, () => tuple).join(', ')}`;
  const q = knex.raw(sql, rows.flat() as never[]);
  const ctx = em.getTransactionContext();
  if (ctx) q.transacting(ctx);
  await q;
}
