import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';

/** A node-postgres connection, as knex's pool (or a transaction) hands it out. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<unknown>;
}

/** A knex client: the pool's, or a transaction's (whose connection is the transaction's own). */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
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
    const value = valueOf(params[values.length], formatDate);
    if (value === undefined) return null;
    values.push(value);
    text += `${sql.slice(from, at)}$${values.length}`;
    from = at + 1;
  }
  return values.length === params.length ? { text: text + sql.slice(from), values } : null;
}

function valueOf(value: unknown, formatDate: (date: Date) => string): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number': return Number.isFinite(value) ? value : undefined;
    case 'bigint': case 'boolean': return value;
    case 'string': return value.includes('\0') ? undefined : value;
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : formatDate(value);
      if (Buffer.isBuffer(value)) return value;
      if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return JSON.stringify(value);
      return undefined;
  }
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
