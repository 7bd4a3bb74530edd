import type { EntityManager } from '@mikro-orm/core';
import { dialectOf, emptyCondition, keyIdExpression, parseKeyId, runSql, sqlNames, type EncryptedColumn } from './columns.ts';
import type { DataKeyStore } from './data-key-store.ts';

export interface KeyStatus {
  masterKeys: { id: string; dataKeys: number[]; values: number }[];
  dataKeys: {
    id: number;
    masterKeyId: string;
    createdAt: string;
    activeFrom: string;
    retiredAt: string | null;
    /** Encrypted values under this key, all columns together. */
    values: number;
    byColumn: Record<string, number>;
  }[];
  /** Values still stored in plaintext, per column label (0 after encrypt-existing). */
  plaintext: Record<string, number>;
  /** Values naming a key id the data_key table does not have (should be empty: a lost key). */
  orphans: Record<string, number>;
}

/**
 * `casedesk keys status`: the master and data keys, and how many stored values each covers.
 * Each value names its data key in its own header (see envelope.ts), so the count is one
 * grouped scan per encrypted column, parsing the key id in SQL; no per-row key column is kept.
 */
export async function keyStatus(em: EntityManager, store: DataKeyStore, columns: EncryptedColumn[]): Promise<KeyStatus> {
  const dialect = dialectOf(em.getPlatform());
  const keys = await store.list(0);
  const perKey = new Map<number, Record<string, number>>(keys.map((k) => [k.id, {}]));
  const status: KeyStatus = { masterKeys: [], dataKeys: [], plaintext: {}, orphans: {} };
  for (const col of columns) {
    const { table } = sqlNames(col);
    const rows = await runSql<{ k: unknown; n: number | string }>(
      em,
      `select ${keyIdExpression(dialect, col)} as k, count(*) as n from ${table} where not ${emptyCondition(dialect, col)} group by 1`,
    );
    for (const row of rows) {
      const id = parseKeyId(col, row.k);
      const n = Number(row.n);
      if (id === null) status.plaintext[col.label] = (status.plaintext[col.label] ?? 0) + n;
      else if (perKey.has(id)) perKey.get(id)![col.label] = n;
      else status.orphans[col.label] = (status.orphans[col.label] ?? 0) + n;
    }
  }
  for (const k of keys) {
    const byColumn = perKey.get(k.id)!;
    const values = Object.values(byColumn).reduce((a, b) => a + b, 0);
    status.dataKeys.push({
      id: k.id,
      masterKeyId: k.masterKeyId,
      createdAt: k.createdAt.toISOString(),
      activeFrom: k.activeFrom.toISOString(),
      retiredAt: k.retiredAt ? k.retiredAt.toISOString() : null,
      values,
      byColumn,
    });
  }
  for (const mk of [...new Set(keys.map((k) => k.masterKeyId))]) {
    const mine = status.dataKeys.filter((d) => d.masterKeyId === mk);
    status.masterKeys.push({ id: mk, dataKeys: mine.map((d) => d.id), values: mine.reduce((a, d) => a + d.values, 0) });
  }
  return status;
}
