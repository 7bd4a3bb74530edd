import type { EntityManager } from '@mikro-orm/core';

type Row = Record<string, unknown>;

/**
 * Run one raw SQL query (`?` placeholders, the same text on SQLite and PostgreSQL) inside the
 * EntityManager's transaction if it has one. Lookups use it on their hot path: it skips entity
 * hydration and the identity map, which keeps an exact lookup well under a millisecond.
 */
export async function query(em: EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  return em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());
}

/** Placeholders for an `in (…)` list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
