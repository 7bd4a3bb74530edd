import type { EntityManager } from '@mikro-orm/core';
import { dialectOf, runSql } from '../crypto/columns.ts';
import { AUDIT_ENTRY_COLUMNS, decodeAuditRow, type AuditEntryRow } from './audit-row.ts';
import { chainNext, GENESIS_HASH, verifyChain, type AuditRecord, type ChainedAuditRecord, type ChainHead, type VerifyResult } from './audit-chain.ts';

/**
 * The audit chain in the database: the audit_entry table with seq / prev_hash / hash, and the
 * one-row audit_chain_head. Plain SQL, the same on SQLite and PostgreSQL.
 *
 * Appends never fork the chain: the first statement of an append is
 *   UPDATE audit_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash
 * which takes the head row's lock on PostgreSQL (a second appender waits until the first
 * commits, then reads its hash) and the database write lock on SQLite (one writer at a time
 * across processes; being the first statement, it waits on busy_timeout instead of failing on a
 * stale snapshot). The entry and the new head hash are written in the same transaction, so a
 * rollback takes back both and sequence numbers stay contiguous.
 */

const HEAD_ID = 1;

export type AuditInput = Omit<AuditRecord, 'at' | 'caseId' | 'draftId' | 'details'> & {
  caseId?: number | null;
  draftId?: number | null;
  details?: Record<string, unknown>;
  at?: Date;
};

/** A row as the chain sees it (a chained row has its seq and hashes). */
function toRecord(row: AuditEntryRow): ChainedAuditRecord {
  const decoded = decodeAuditRow(row);
  return { ...decoded, seq: Number(decoded.seq), prevHash: decoded.prevHash ?? '', hash: decoded.hash ?? '' };
}

async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.isInTransaction() ? work(em) : em.fork().transactional(work);
}

/**
 * Lock the chain head and return it: a no-op UPDATE … RETURNING, so the lock is taken by the
 * first statement (creating the head row on first use).
 */
async function lockHead(tx: EntityManager): Promise<ChainHead> {
  const sql = `update audit_chain_head set seq = seq where id = ? returning seq, hash`;
  let [row] = await runSql<{ seq: number | string; hash: string }>(tx, sql, [HEAD_ID]);
  if (!row) {
    await runSql(tx, `insert into audit_chain_head (id, seq, hash) values (?, 0, ?) on conflict (id) do nothing`, [HEAD_ID, GENESIS_HASH]);
    [row] = await runSql(tx, sql, [HEAD_ID]);
  }
  return { seq: Number(row.seq), hash: row.hash };
}

async function setHead(tx: EntityManager, head: ChainHead): Promise<void> {
  await runSql(tx, `update audit_chain_head set seq = ?, hash = ? where id = ?`, [head.seq, head.hash, HEAD_ID]);
}

function dbTime(tx: EntityManager, at: Date): Date | number {
  return dialectOf(tx.getPlatform()) === 'sqlite' ? at.getTime() : at;
}

/**
 * Append one entry to the audit log. Inside a transaction (`em.transactional`) the entry commits
 * or rolls back with the action it records; call it last there, because it holds the chain head
 * until commit. Outside one it runs in its own short transaction.
 */
export async function appendAudit(em: EntityManager, input: AuditInput): Promise<ChainedAuditRecord> {
  return inTransaction(em, async (tx) => {
    const head = await lockHead(tx);
    const entry = chainNext(head, { actor: input.actor, action: input.action, caseId: input.caseId ?? null, draftId: input.draftId ?? null, details: input.details ?? {}, at: input.at ?? new Date() });
    const [row] = await runSql<{ id: number | string }>(
      tx,
      `insert into audit_entry (seq, actor, action, case_id, draft_id, details, at, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [entry.seq, entry.actor, entry.action, entry.caseId, entry.draftId, JSON.stringify(entry.details), dbTime(tx, entry.at), entry.prevHash, entry.hash],
    );
    await setHead(tx, entry);
    return { ...entry, id: Number(row.id) };
  });
}

/** The recorded head, or null before the first entry. */
export async function readChainHead(em: EntityManager): Promise<ChainHead | null> {
  const [row] = await runSql<{ seq: number | string; hash: string }>(em, `select seq, hash from audit_chain_head where id = ?`, [HEAD_ID]);
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** The chained entries in sequence order, read in batches. */
export async function* readChain(em: EntityManager, batchSize = 1000): AsyncGenerator<ChainedAuditRecord> {
  let after = 0;
  for (;;) {
    const rows = await runSql<AuditEntryRow>(em, `select ${AUDIT_ENTRY_COLUMNS} from audit_entry where seq > ? order by seq limit ?`, [after, batchSize]);
    for (const row of rows) yield toRecord(row);
    if (rows.length < batchSize) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

/**
 * `casedesk audit verify`: check the whole chain and its head; entries left out of the chain
 * (no hash: written around appendAudit, or never adopted) are reported as `unchained`.
 */
export async function verifyAuditChain(em: EntityManager, batchSize = 1000): Promise<VerifyResult> {
  const result = await verifyChain(readChain(em.fork(), batchSize), await readChainHead(em));
  if (!result.ok) return result;
  const [row] = await runSql<{ id: number | string }>(em, `select min(id) as id from audit_entry where hash is null or seq is null`);
  if (row?.id == null) return result;
  return { ...result, ok: false, problem: { kind: 'unchained', seq: null, id: Number(row.id), detail: `entry id ${row.id} is not part of the chain` } };
}

/**
 * Bring entries written before the chain existed into it, in id order, in batches (resumable:
 * each batch commits with the head; rows already chained are skipped). Run it once right after
 * the migration that adds the chain columns, before anything appends.
 */
export async function chainExistingEntries(em: EntityManager, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await em.fork().transactional(async (tx) => {
      let head = await lockHead(tx);
      const rows = await runSql<AuditEntryRow>(tx, `select ${AUDIT_ENTRY_COLUMNS} from audit_entry where hash is null order by id limit ?`, [batchSize]);
      if (rows.length === 0) return 0;
      for (const row of rows) {
        const entry = chainNext(head, toRecord(row));
        await runSql(tx, `update audit_entry set seq = ?, prev_hash = ?, hash = ? where id = ? and hash is null`, [entry.seq, entry.prevHash, entry.hash, Number(row.id)]);
        head = { seq: entry.seq, hash: entry.hash };
      }
      await setHead(tx, head);
      return rows.length;
    });
    if (done === 0) return total;
    total += done;
  }
}
