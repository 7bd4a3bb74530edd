import type { EntityManager, MikroORM } from '@mikro-orm/core';

/**
 * What every feature needs to know about the database without depending on how it is opened
 * (that is src/db/orm.ts, which knows every feature's entities): the ORM type, and how to tell
 * a lost race on a unique key from a real failure.
 */
export type Orm = MikroORM;
export type { EntityManager };

/** A datetime read by raw SQL: text (or a Date) on PostgreSQL, epoch milliseconds on SQLite; null stays null. */
export function rowDate(value: unknown): Date | null {
  if (value == null) return null;
  if (value instanceof Date) return value;
  const date = typeof value === 'number' || /^\d+$/.test(String(value)) ? new Date(Number(value)) : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a datetime: ${typeof value}`);
  return date;
}

/** A JSON column read by raw SQL: parsed already on PostgreSQL, text on SQLite; null stays null. */
export function rowJson<T>(value: unknown): T | null {
  if (value == null) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Whether two writers raced on a unique key (the loser treats it as "already done"). */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'UniqueConstraintViolationException' || /unique constraint|duplicate key/i.test(err.message);
}

/**
 * The select list of an entity's eagerly loaded columns under a table alias, each named
 * `<prefix><column>`: for one raw statement that reads rows of several tables (hot paths), to be
 * turned back into managed entities by mapPrefixed.
 */
export function entityColumns(em: EntityManager, entityName: string, alias: string, prefix: string): string {
  const meta = em.getMetadata().get(entityName);
  const fields = meta.props.filter((p) => !p.lazy && p.persist !== false && p.fieldNames?.length).flatMap((p) => p.fieldNames);
  return fields.map((f) => `${alias}."${f}" as "${prefix}${f}"`).join(', ');
}

/**
 * The entity of `row`'s `<prefix>` columns (as entityColumns named them), merged into the
 * identity map as loaded: the custom types (encrypted columns) and dates are converted as a
 * find would, and an unchanged entity is not written by a later flush. Null when the row has no
 * such entity (a left join that found none).
 */
export function mapPrefixed<T extends object>(em: EntityManager, entityName: string, row: Record<string, unknown>, prefix: string): T | null {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) data[key.slice(prefix.length)] = value;
  const pk = em.getMetadata().get(entityName).primaryKeys[0];
  if (data[pk] == null) return null;
  return em.map<T>(entityName, data as never);
}
