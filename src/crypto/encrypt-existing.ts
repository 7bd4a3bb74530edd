import type { EntityManager } from '@mikro-orm/core';
import type { ValueCipher } from './cipher.ts';
import { dialectOf, runSql, sealedCondition, sqlNames, type EncryptedColumn } from './columns.ts';
import { KeyConfigError } from './errors.ts';

export interface EncryptExistingOptions {
  /** Rows per transaction (default 200). Values are read one by one, so a batch of raw sources stays small in memory. */
  batchSize?: number;
  /** Only count the plaintext values. */
  dryRun?: boolean;
  /**
   * Rewrite the files afterwards so no old page still holds plaintext: VACUUM on SQLite (default
   * on: a page rebuilt by the B-tree keeps stale bytes even with secure_delete), VACUUM FULL of
   * the touched tables on PostgreSQL (default off: it locks the tables; pg_dump never shows dead rows).
   */
  compact?: boolean;
  /** After each batch: ids and counts only. */
  onBatch?: (progress: { label: string; encrypted: number; lastId: number }) => void;
}

export interface EncryptExistingResult {
  columns: { label: string; plaintextBefore: number; encrypted: number }[];
  total: number;
  /** Whether the files were rewritten (see `compact`). */
  compacted: boolean;
  /** SQLite: whether the WAL was checkpointed and truncated (old page images gone from the -wal file). */
  walTruncated: boolean | null;
}

/** How many values of a column are still plaintext. */
export async function countPlaintext(em: EntityManager, col: EncryptedColumn): Promise<number> {
  const { table } = sqlNames(col);
  const rows = await runSql<{ n: number | string }>(em, `select count(*) as n from ${table} where ${sealedCondition(dialectOf(em.getPlatform()), col, false)}`);
  return Number(rows[0].n);
}

/**
 * `casedesk db encrypt-existing`: encrypt every value of the given columns that is still
 * plaintext (written before encryption, or by a development run without a key).
 *
 * Resumable and idempotent: the state is the data itself. Each batch selects the next plaintext
 * rows in id order, and each row is updated only while it is still plaintext, so a crash loses
 * at most an uncommitted batch, a second run continues where the first stopped, and a row a
 * running service rewrote meanwhile (already encrypted) is left alone. Services may keep running.
 *
 * Old plaintext must leave the files too, not just the rows. On SQLite `secure_delete` is
 * switched on for the connection (freed cells are zeroed), the file is rebuilt with VACUUM (the
 * B-tree leaves stale bytes in rebuilt pages otherwise) and the WAL checkpointed and truncated.
 * PostgreSQL keeps old row versions in its files until VACUUM reuses them; pg_dump never shows
 * them, and `compact` runs VACUUM FULL. Backups taken before the run still hold plaintext.
 */
export async function encryptExisting(
  em: EntityManager,
  cipher: ValueCipher,
  columns: EncryptedColumn[],
  options: EncryptExistingOptions = {},
): Promise<EncryptExistingResult> {
  if (!cipher.encrypts && !options.dryRun) throw new KeyConfigError('encrypt-existing needs DATA_KEY or DATA_KEY_FILE');
  const dialect = dialectOf(em.getPlatform());
  if (dialect === 'sqlite' && !options.dryRun) await runSql(em, 'pragma secure_delete = on');
  const result: EncryptExistingResult = { columns: [], total: 0, compacted: false, walTruncated: null };
  for (const col of columns) {
    const plaintextBefore = await countPlaintext(em, col);
    const encrypted = options.dryRun || plaintextBefore === 0 ? 0 : await encryptColumn(em, cipher, col, options);
    result.columns.push({ label: col.label, plaintextBefore, encrypted });
    result.total += encrypted;
  }
  if (!options.dryRun && result.total > 0) await compactFiles(em, columns, options.compact ?? dialect === 'sqlite', result);
  return result;
}

async function compactFiles(em: EntityManager, columns: EncryptedColumn[], compact: boolean, result: EncryptExistingResult): Promise<void> {
  const dialect = dialectOf(em.getPlatform());
  if (compact) {
    if (dialect === 'sqlite') await runSql(em, 'vacuum');
    else for (const table of new Set(columns.map((c) => sqlNames(c).table))) await runSql(em, `vacuum full ${table}`);
    result.compacted = true;
  }
  if (dialect === 'sqlite') {
    const [row] = await runSql<{ busy: number }>(em, 'pragma wal_checkpoint(truncate)');
    result.walTruncated = row ? Number(row.busy) === 0 : null;
  }
}

/** The encrypted form of a plaintext value as the driver returned it (a jsonb value comes parsed from PostgreSQL). */
function sealStored(cipher: ValueCipher, col: EncryptedColumn, value: unknown): string | Buffer {
  // Rows converted in batches, never compared by a unit of work: nothing kept for its change check.
  if (col.form === 'bytes') return cipher.sealBytes(Buffer.from(value as Buffer), col.label, false);
  if (col.form === 'text') return cipher.sealText(String(value), col.label, false);
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(cipher.sealText(json, col.label, false));
}

async function encryptColumn(em: EntityManager, cipher: ValueCipher, col: EncryptedColumn, options: EncryptExistingOptions): Promise<number> {
  const dialect = dialectOf(em.getPlatform());
  const { table, column, id } = sqlNames(col);
  const plaintext = sealedCondition(dialect, col, false);
  const batchSize = options.batchSize ?? 200;
  let lastId = 0;
  let encrypted = 0;
  for (;;) {
    const ids = await runSql<{ id: number | string }>(em, `select ${id} as id from ${table} where ${id} > ? and ${plaintext} order by ${id} limit ?`, [lastId, batchSize]);
    if (ids.length === 0) return encrypted;
    const done = await em.fork().transactional(async (tx) => {
      let n = 0;
      for (const { id: rowId } of ids) {
        const [row] = await runSql<{ v: unknown }>(tx, `select ${column} as v from ${table} where ${id} = ? and ${plaintext}`, [rowId]);
        if (!row) continue;
        const sealed = sealStored(cipher, col, row.v);
        await runSql(tx, `update ${table} set ${column} = ? where ${id} = ? and ${plaintext}`, [sealed, rowId]);
        n += 1;
      }
      return n;
    });
    encrypted += done;
    lastId = Number(ids[ids.length - 1].id);
    options.onBatch?.({ label: col.label, encrypted, lastId });
  }
}
