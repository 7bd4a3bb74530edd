import type { EntityManager, MikroORM, Platform } from '@mikro-orm/core';
import { EncryptedBlobType, EncryptedJsonType, EncryptedTextType } from './encrypted-type.ts';
import { BINARY_MAGIC, TEXT_PREFIX } from './envelope.ts';

/** One encrypted column as SQL sees it: where it is, its label, and which stored form it uses. */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** The single-column integer primary key batches walk in order. */
  idColumn: string;
  label: string;
  /** text: `enc:1:…` in a text column; bytes: the binary form in a blob; json: `"enc:1:…"` in a json/jsonb column. */
  form: 'text' | 'bytes' | 'json';
}

export type Dialect = 'sqlite' | 'postgresql';

export function dialectOf(platform: Platform): Dialect {
  // Of the two drivers only PostgreSQL has a default schema (`public`); asking so, rather than
  // `instanceof PostgreSqlPlatform`, keeps the PostgreSQL package unloaded on SQLite.
  return platform.getDefaultSchemaName() ? 'postgresql' : 'sqlite';
}

/**
 * Every column of the ORM's entities typed EncryptedTextType / EncryptedBlobType, so
 * `encrypt-existing` and `keys status` follow the entity definitions instead of a second list.
 */
export function encryptedColumns(orm: MikroORM): EncryptedColumn[] {
  const out: EncryptedColumn[] = [];
  for (const meta of Object.values(orm.getMetadata().getAll())) {
    if (meta.primaryKeys.length !== 1 || !meta.tableName) continue;
    const idColumn = meta.properties[meta.primaryKeys[0]].fieldNames[0];
    for (const prop of meta.props) {
      const t = prop.customType;
      if (t instanceof EncryptedTextType || t instanceof EncryptedBlobType || t instanceof EncryptedJsonType) {
        const form = t instanceof EncryptedBlobType ? 'bytes' : t instanceof EncryptedJsonType ? 'json' : 'text';
        out.push({ table: meta.tableName, column: prop.fieldNames[0], idColumn, label: t.label, form });
      }
    }
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

const q = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`unexpected SQL identifier: ${name}`);
  return `"${name}"`;
};

/** Quoted `table`, `column` and `id` of a column (names are checked, never user input). */
export function sqlNames(col: EncryptedColumn): { table: string; column: string; id: string } {
  return { table: q(col.table), column: q(col.column), id: q(col.idColumn) };
}

const MAGIC_HEX = BINARY_MAGIC.toString('hex');

/** SQL condition: the value is empty content ('' or the JSON `{}` retention leaves behind), or NULL. */
export function emptyCondition(dialect: Dialect, col: EncryptedColumn): string {
  const c = sqlNames(col).column;
  if (col.form === 'text') return `(${c} is null or ${c} = '')`;
  if (col.form === 'json') return dialect === 'postgresql' ? `(${c} is null or ${c} = '{}'::jsonb)` : `(${c} is null or ${c} = '{}')`;
  return `(${c} is null)`;
}

/** SQL condition: the column holds an encrypted value (`sealed`) or a plaintext one (`!sealed`); NULL is neither. */
export function sealedCondition(dialect: Dialect, col: EncryptedColumn, sealed: boolean): string {
  const c = sqlNames(col).column;
  const op = sealed ? '=' : '<>';
  // Empty content (emptied by retention) is neither sealed nor plaintext.
  if (!sealed) return `(not ${emptyCondition(dialect, col)} and not ${sealedCondition(dialect, col, true)})`;
  if (col.form === 'text') return `(${c} is not null and substr(${c}, 1, ${TEXT_PREFIX.length}) ${op} '${TEXT_PREFIX}')`;
  if (col.form === 'json') {
    if (dialect === 'sqlite') return `(${c} is not null and substr(${c}, 1, ${TEXT_PREFIX.length + 1}) ${op} '"${TEXT_PREFIX}')`;
    const isSealed = `(jsonb_typeof(${c}) = 'string' and left(${c} #>> '{}', ${TEXT_PREFIX.length}) = '${TEXT_PREFIX}')`;
    return `(${c} is not null and ${sealed ? isSealed : `not ${isSealed}`})`;
  }
  if (dialect === 'postgresql') return `(${c} is not null and substring(${c} from 1 for 4) ${op} decode('${MAGIC_HEX}', 'hex'))`;
  return `(${c} is not null and substr(${c}, 1, 4) ${op} X'${MAGIC_HEX}')`;
}

/**
 * SQL expression: the data key id an encrypted value names, as text (decimal for the text form,
 * 8 hex digits for the binary form; parseKeyId reads both), NULL for plaintext and NULL values.
 */
export function keyIdExpression(dialect: Dialect, col: EncryptedColumn): string {
  const c = sqlNames(col).column;
  const start = TEXT_PREFIX.length + 1;
  let expr: string;
  if (col.form === 'text') {
    expr = dialect === 'postgresql' ? `split_part(${c}, ':', 3)` : `substr(${c}, ${start}, instr(substr(${c}, ${start}), ':') - 1)`;
  } else if (col.form === 'json') {
    expr = dialect === 'postgresql' ? `split_part(${c} #>> '{}', ':', 3)` : `substr(${c}, ${start + 1}, instr(substr(${c}, ${start + 1}), ':') - 1)`;
  } else {
    expr = dialect === 'postgresql' ? `encode(substring(${c} from 5 for 4), 'hex')` : `lower(hex(substr(${c}, 5, 4)))`;
  }
  return `case when ${sealedCondition(dialect, col, true)} then ${expr} end`;
}

/** Read what keyIdExpression returned. */
export function parseKeyId(col: EncryptedColumn, value: unknown): number | null {
  if (value == null) return null;
  const s = String(value);
  const id = col.form === 'bytes' ? Number.parseInt(s, 16) : Number(s);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** Run SQL in the EntityManager's current transaction, if it has one. */
export async function runSql<T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params, 'all', em.getTransactionContext())) as T[];
}
