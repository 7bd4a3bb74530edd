import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';

/** A node-postgres connection, as knex's pool (or a transaction) hands it out. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<unknown>;
}

/** A knex client: the pool's, or a transaction's (whose connection is the transaction's own). */
interface KnexClient<C = PgConnection> {
  acquireConnection(): Promise<C>;
  releaseConnection(connection: C): Promise<unknown>;
}

/** What MikroORM's SQL connection (AbstractSqlConnection) offers that the bound path uses. */
interface SqlConnection {
  execute(query: unknown, params?: unknown[], method?: string, ctx?: unknown, loggerContext?: object): Promise<unknown>;
  ensureConnection(): Promise<void>;
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: object): Promise<T>;
  transformRawResult(res: unknown, method: string): unknown;
  getKnex(): { client: KnexClient };
  getPlatform(): { formatDate(date: Date): string };
}

/**
 * One statement's SQL (`?` placeholders, `\?` a literal question mark) as PostgreSQL takes it
 * with its values apart: `$1`, `$2`… and the values, each as node-postgres sends it (numbers,
 * strings, byte strings as they are; dates as MikroORM writes them; a plain object as its JSON).
 * Null when MikroORM would do more than put a value in place: an identifier (`??`), a list (it
 * writes `a, b` for `in (?)`), a raw fragment, a string with a NUL, a count that does not match.
 */
export function bindValues(sql: string, params: readonly unknown[], formatDate: (date: Date) => string): { text: string; values: unknown[] } | null {
  return placeValues(sql, params, (value) => pgValueOf(value, formatDate), (n) => `$${n}`);
}

/**
 * The same for SQLite (better-sqlite3): `?` placeholders stay, and each value is bound as
 * MikroORM would have written it into the text. A whole number goes as an integer (a JS number
 * would bind as a real, and a text column would then store `3.0`), a datetime as its epoch
 * milliseconds, a boolean as 1 or 0, a plain object as its JSON. Null when it cannot be bound
 * the same way (as bindValues), or when the text holds an escaped `\?`.
 */
export function bindSqliteValues(sql: string, params: readonly unknown[]): { text: string; values: unknown[] } | null {
  if (sql.includes('\\?')) return null;
  return placeValues(sql, params, sqliteValueOf, () => '?');
}

/** Each `?` of `sql` (not `\?`) given its value by `valueOf` and its placeholder by `mark`; null when a value cannot be bound. */
function placeValues(sql: string, params: readonly unknown[], valueOf: (value: unknown) => unknown, mark: (n: number) => string): { text: string; values: unknown[] } | null {
  const values: unknown[] = [];
  let text = '';
  let from = 0;
  for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', at + 1)) {
    if (at > 0 && sql[at - 1] === '\\') {
      text += sql.slice(from, at - 1) + '?';
      from = at + 1;
      continue;
    }
    if (sql[at + 1] === '?' || values.length >= params.length) return null;
    const value = valueOf(params[values.length]);
    if (value === undefined) return null;
    values.push(value);
    text += `${sql.slice(from, at)}${mark(values.length)}`;
    from = at + 1;
  }
  return values.length === params.length ? { text: text + sql.slice(from), values } : null;
}

function pgValueOf(value: unknown, formatDate: (date: Date) => string): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number': return Number.isFinite(value) ? value : undefined;
    case 'bigint': case 'boolean': return value;
    case 'string': return value.includes('\0') ? undefined : value;
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : formatDate(value);
      return bytesOrJson(value);
  }
}

function sqliteValueOf(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'bigint': return value;
    case 'boolean': return value ? 1n : 0n;
    case 'string': return value.includes('\0') ? undefined : value;
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : BigInt(value.getTime());
      return bytesOrJson(value);
  }
}

/** A byte string as it is, a plain object as its JSON; anything else (a list, a class instance) cannot be bound. */
function bytesOrJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) return JSON.stringify(value);
  return undefined;
}

/** Named (prepared once per connection) up to this many distinct statements a process; later ones run unnamed. */
const MAX_NAMED = 256;
/** Statements with more values than this (multi-row inserts, whose text changes with the row count) run unnamed. */
const MAX_NAMED_VALUES = 64;

/**
 * On PostgreSQL, MikroORM writes every value of a statement into its text (strings escaped, byte
 * strings as hex, ids as literals) and sends it through knex as one simple query, which
 * PostgreSQL parses and plans each time. From here on the values go apart from the text (the
 * extended protocol), and a statement seen before runs as a prepared statement named by its
 * text's hash (the same few dozen statements carry every message): less CPU in the process
 * (no escaping, no knex) and in PostgreSQL (no parse or plan). A statement inside a
 * transaction runs on the transaction's connection. Statements it cannot bind (see
 * {@link bindValues}) and those without values go the old way. Measured in docs/performance.md.
 */
export function sendValuesApart(orm: MikroORM): void {
  const conn = orm.em.getConnection() as unknown as SqlConnection;
  const whole = conn.execute.bind(conn);
  const platform = conn.getPlatform();
  const formatDate = (date: Date) => platform.formatDate(date);
  const named = new Map<string, string>();
  conn.execute = async function execute(query, params = [], method = 'all', ctx, loggerContext) {
    const bound = typeof query === 'string' && params.length > 0 ? bindValues(query, params, formatDate) : null;
    if (!bound) return whole(query, params, method, ctx, loggerContext);
    await conn.ensureConnection();
    const name = statementName(bound.text, bound.values.length, named);
    const client = (ctx as { client?: KnexClient } | undefined)?.client ?? conn.getKnex().client;
    return conn.executeQuery(bound.text, async () => {
      const connection = await client.acquireConnection();
      try {
        return conn.transformRawResult(await connection.query({ name, text: bound.text, values: bound.values }), method);
      } finally {
        await client.releaseConnection(connection);
      }
    }, { query, params, ...loggerContext });
  };
}

/** The name `text` is prepared under (its hash), remembered in `named`; none past the limits. */
function statementName(text: string, valueCount: number, named: Map<string, string>): string | undefined {
  const known = named.get(text);
  if (known !== undefined || valueCount > MAX_NAMED_VALUES || named.size >= MAX_NAMED) return known;
  const name = `cd_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  named.set(text, name);
  return name;
}

/** A better-sqlite3 database, as knex's pool (or a transaction) hands it out. */
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

interface SqliteStatement {
  reader: boolean;
  all(...values: unknown[]): unknown[];
  run(...values: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** Prepared statements kept per SQLite connection, up to this many texts each. */
const MAX_SQLITE_STATEMENTS = 256;

/**
 * On SQLite, MikroORM writes every value into the statement's text, so better-sqlite3 compiles a
 * new statement for every call (a sixth of the drain's CPU went to `prepare`, issue 11). From
 * here on the values are bound apart from the text (bindSqliteValues) and each connection keeps
 * its compiled statements by text (up to MAX_SQLITE_STATEMENTS; past that, compiled per call).
 * A statement inside a transaction runs on the transaction's connection. Statements it cannot
 * bind, those without values, and text better-sqlite3 will not compile as one statement go the
 * old way.
 */
export function prepareSqliteStatements(orm: MikroORM): void {
  const conn = orm.em.getConnection() as unknown as SqlConnection;
  const whole = conn.execute.bind(conn);
  const compiled = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();
  const statementOf = (db: SqliteDatabase, text: string): SqliteStatement | null => {
    let cache = compiled.get(db);
    if (!cache) compiled.set(db, (cache = new Map()));
    const known = cache.get(text);
    if (known) return known;
    let statement: SqliteStatement;
    try {
      statement = db.prepare(text);
    } catch {
      return null; // not one statement, or not valid: the old way reports it as it always did
    }
    if (cache.size < MAX_SQLITE_STATEMENTS) cache.set(text, statement);
    return statement;
  };
  conn.execute = async function execute(query, params = [], method = 'all', ctx, loggerContext) {
    const bound = typeof query === 'string' && params.length > 0 ? bindSqliteValues(query, params) : null;
    if (!bound) return whole(query, params, method, ctx, loggerContext);
    await conn.ensureConnection();
    const client = (ctx as { client?: KnexClient<SqliteDatabase> } | undefined)?.client ?? (conn.getKnex().client as unknown as KnexClient<SqliteDatabase>);
    const db = await client.acquireConnection();
    const statement = statementOf(db, bound.text);
    if (!statement) {
      await client.releaseConnection(db);
      return whole(query, params, method, ctx, loggerContext);
    }
    try {
      return await conn.executeQuery(bound.text, async () => {
        const result = statement.reader ? statement.all(...bound.values) : statement.run(...bound.values);
        return conn.transformRawResult(result, method);
      }, { query, params, ...loggerContext });
    } finally {
      await client.releaseConnection(db);
    }
  };
}
