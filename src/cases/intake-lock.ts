import type { EntityManager } from '@mikro-orm/core';

/** Namespaces of the advisory locks (the first key of `pg_advisory_xact_lock(int, int)`). */
const LOCK_SPACE = { subscriber: 14_001, sender: 14_002 } as const;

type LockSpace = keyof typeof LOCK_SPACE;

/**
 * Serialise one intake decision (quota count, 24-hour notice check) per subscriber or per
 * sender, until the filing transaction ends. On PostgreSQL a transaction-scoped advisory lock:
 * two first questions at quota − 1 in two workers then decide one after the other, and the
 * second sees the first's counted case and notice. On SQLite there is one writer: the filing
 * transaction's first statement is a write (the inbound row's claim), so it already holds the
 * database's write lock and no other decision can run until it commits. Take the subscriber
 * lock before the sender lock (always this order: no deadlock).
 */
export async function lockIntake(tx: EntityManager, space: LockSpace, key: string | number): Promise<void> {
  await lockIntakes(tx, [[space, key]]);
}

/**
 * Several intake locks in one statement, taken in the order given (PostgreSQL evaluates a
 * select list left to right): the subscriber's before the sender's.
 */
export async function lockIntakes(tx: EntityManager, locks: Array<[LockSpace, string | number]>): Promise<void> {
  if (locks.length === 0 || !tx.getPlatform().constructor.name.toLowerCase().includes('postgre')) return;
  const sql = `select ${locks.map(() => 'pg_advisory_xact_lock(?, hashtext(?))').join(', ')}`;
  const params = locks.flatMap(([space, key]) => [LOCK_SPACE[space], String(key)]);
  await tx.getConnection().execute(sql, params, 'get', tx.getTransactionContext());
}
