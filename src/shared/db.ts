import type { EntityManager, EntityProperty, MikroORM, TransformContext } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * What every feature needs to know about the database without depending on how it is opened
 * (that is src/db/orm.ts, which knows every feature's entities): the ORM type, and how to tell
 * a lost race on a unique key from a real failure.
 */
export type Orm = MikroORM;
export type { EntityManager };

/** A row of a raw statement. */
export type Row = Record<string, unknown>;

/**
 * Run one raw SQL query (`?` placeholders, the same text on SQLite and PostgreSQL) inside the
 * EntityManager's transaction if it has one. Lookups use it on their hot path: it skips entity
 * hydration and the identity map, which keeps an exact lookup well under a millisecond. On
 * PostgreSQL it runs as a prepared statement with its values apart (src/db/bound-params.ts).
 */
export async function query(em: EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  return execute<Row[]>(em, sql, params, 'all');
}

/**
 * One raw statement in the EntityManager's transaction (if any). A failure comes out as the
 * driver's exception class (UniqueConstraintViolationException, ValueTooLongException…), as
 * it does from the ORM's own calls.
 */
async function execute<T>(em: EntityManager, sql: string, params: unknown[], method: 'all' | 'run'): Promise<T> {
  try {
    return await em.getConnection().execute<T>(sql, params, method, em.getTransactionContext());
  } catch (err) {
    throw err instanceof Error ? em.getDriver().convertException(err) : err;
  }
}

/**
 * Run one raw SQL statement that writes (`?` placeholders, the same text on SQLite and
 * PostgreSQL) inside the EntityManager's transaction if it has one, and say how many rows it
 * changed. The filing path uses it where MikroORM's `nativeUpdate` would cost several times the
 * statement itself in CPU. A JSON column takes its value as JSON text (`JSON.stringify`).
 */
export async function run(em: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const result = await execute<{ affectedRows: number }>(em, sql, params, 'run');
  return result.affectedRows;
}

/** Whether the EntityManager talks to PostgreSQL (else SQLite). */
export function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name.toLowerCase().includes('postgre');
}

/**
 * The conversion context of a raw row (insertEntity, readEntity, entityFromRow): the entity it
 * fills or comes from is not managed, so no unit of work will compare its values later. A custom
 * type may skip what only that comparison needs (the encrypted columns then keep no plaintext in
 * their change-check cache; see src/crypto/opened-cache.ts).
 */
export const UNMANAGED_ROW: TransformContext & { readonly unmanaged: true } = Object.freeze({ unmanaged: true });

/** Whether a custom type's conversion is for a raw, unmanaged row (see UNMANAGED_ROW). */
export function isUnmanagedRow(context: TransformContext | undefined): boolean {
  return (context as { unmanaged?: boolean } | undefined)?.unmanaged === true;
}

/** A property stored in one column of the entity's own table (not a relation, not a formula). */
function isColumn(prop: EntityProperty): boolean {
  return prop.persist !== false && prop.fieldNames?.length === 1 && !prop.formula && prop.kind === 'scalar';
}

/**
 * Insert a new entity with one raw statement and give it its id. The values are the entity's
 * properties, its class's defaults included, written as MikroORM writes them: a custom type
 * converts (encryption, JSON, big integers), and a property left undefined is left to the
 * column's default. For the paths every message takes (filing, drafting), where going through
 * the unit of work costs several times the statement in CPU. The entity is not managed: a later
 * flush does not write it.
 */
export async function insertEntity<T extends { id: number }>(em: EntityManager, entity: T): Promise<T> {
  const meta = em.getMetadata().get(entity.constructor.name);
  const key = meta.properties[meta.primaryKeys[0]].fieldNames[0];
  const platform = em.getPlatform();
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const prop of meta.props) {
    if (!isColumn(prop) || (prop.primary && prop.autoincrement)) continue;
    const value = (entity as Record<string, unknown>)[prop.name];
    if (value === undefined) continue;
    columns.push(`"${prop.fieldNames[0]}"`);
    values.push(value === null || !prop.customType ? value : prop.customType.convertToDatabaseValue(value, platform, UNMANAGED_ROW));
  }
  const returning = isPostgres(em) ? ` returning "${key}" as id` : '';
  const sql = `insert into "${meta.tableName}" (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})${returning}`;
  const result = await execute<{ insertId: number | bigint }>(em, sql, values, 'run');
  entity.id = Number(result.insertId);
  return entity;
}

/**
 * One entity read by raw SQL (`where`: the condition, `?` placeholders), converted as a find
 * converts it (custom types decrypt and parse; datetimes, booleans and numbers as declared) but
 * not managed: for reads on the message path that only look. Lazy properties are read only when
 * named in `lazy`. Null when no row matches.
 */
export async function readEntity<T extends object>(em: EntityManager, cls: new () => T, where: string, params: unknown[], lazy: string[] = []): Promise<T | null> {
  const meta = em.getMetadata().get(cls.name);
  const props = meta.props.filter((p) => isColumn(p) && (!p.lazy || lazy.includes(p.name)));
  const sql = `select ${props.map((p) => `"${p.fieldNames[0]}"`).join(', ')} from "${meta.tableName}" where ${where}`;
  const [row] = await query(em, sql, params);
  return row ? toEntity(em, cls, props, row, '') : null;
}

/** The entity of a raw row's `<prefix><column>` values (props: the properties read), converted as readEntity converts them. */
function toEntity<T extends object>(em: EntityManager, cls: new () => T, props: EntityProperty[], row: Row, prefix: string): T {
  const platform = em.getPlatform();
  const entity = new cls() as Record<string, unknown>;
  for (const prop of props) {
    const value = row[prefix + prop.fieldNames[0]];
    entity[prop.name] = value == null ? null : prop.customType ? prop.customType.convertToJSValue(value, platform, UNMANAGED_ROW) : columnValue(prop, value);
  }
  return entity as T;
}

/** A plain column's raw value as its property declares it (SQLite gives booleans as 0/1 and datetimes as epoch milliseconds). */
function columnValue(prop: EntityProperty, value: unknown): unknown {
  switch (prop.runtimeType) {
    case 'Date': return rowDate(value);
    case 'boolean': return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 'number': return Number(value);
    default: return value;
  }
}

/**
 * Run `fn` in a transaction on a fork of `em`: committed when `fn` resolves (after a flush of
 * whatever it left in the fork's unit of work), rolled back when it throws; inside `em`'s own
 * transaction when it has one. For paths whose writes are raw statements: it costs half the CPU
 * of `em.transactional` (measured in docs/performance.md), which also sets up a unit of work for
 * the transaction.
 */
export async function inTransaction<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  // Already in one: `fn` joins it (a second transaction would want a second connection, and
  // SQLite has one).
  if (em.isInTransaction()) return fn(em);
  const trx = await (em as SqlEntityManager).getKnex().transaction();
  const tx = em.fork({ clear: true });
  tx.setTransactionContext(trx);
  try {
    const result = await fn(tx);
    await tx.flush();
    await trx.commit();
    return result;
  } catch (err) {
    await trx.rollback().catch(() => undefined);
    throw err;
  }
}

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
 * turned back into entities by entityFromRow.
 */
export function entityColumns(em: EntityManager, cls: new () => object, alias: string, prefix: string): string {
  return eagerColumns(em, cls).map((p) => `${alias}."${p.fieldNames[0]}" as "${prefix}${p.fieldNames[0]}"`).join(', ');
}

/**
 * The entity of `row`'s `<prefix>` columns (as entityColumns named them), converted as a find
 * converts it (custom types decrypt) but not managed: a later flush does not see it. Null when
 * the row has no such entity (a left join that found none).
 */
export function entityFromRow<T extends object>(em: EntityManager, cls: new () => T, row: Row, prefix: string): T | null {
  const meta = em.getMetadata().get(cls.name);
  if (row[prefix + meta.properties[meta.primaryKeys[0]].fieldNames[0]] == null) return null;
  return toEntity(em, cls, eagerColumns(em, cls), row, prefix);
}

/** The properties an entity's row holds in columns of its own that a find reads without being asked (not lazy). */
function eagerColumns(em: EntityManager, cls: new () => object): EntityProperty[] {
  return em.getMetadata().get(cls.name).props.filter((p) => isColumn(p) && !p.lazy);
}
