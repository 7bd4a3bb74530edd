import type { EntityManager } from '@mikro-orm/core';

/** Namespaces of the advisory locks (the first key of `pg_advisory_xact_lock(int, int)`). */
const LOCK_SPACE = { subscriber: 14_001, sender: 14_002 } as const;

/**
 * Serialise one intake decision (quota count, 24-hour notice check) per subscriber or per
 * sender, until the filing transaction ends. On PostgreSQL a transaction-scoped advisory lock:
 * two first questions at quota − 1 in two workers then decide one after the other, and the
 * second sees the first's counted case and notice. On SQLite there is one writer: the filing
 * transaction's first statement is a write (the inbound row's claim), so it already holds the
 * database's write lock and no other decision can run until it commits. Take the subscriber
 * lock before the sender lock (always this order: no deadlock).
 */
export async function lockIntake(tx: EntityManager, space: keyof typeof LOCK_SPACE, key: string | number): Promise<void> {
  if (!tx.getPlatform().constructor.name.toLowerCase().includes('postgre')) return;
  await tx.getConnection().execute('select pg_advisory_xact_lock(?, hashtext(?))', [LOCK_SPACE[space], String(key)], 'get', tx.getTransactionContext());
}
