import type { EntityManager, MikroORM } from '@mikro-orm/core';

/**
 * What every feature needs to know about the database without depending on how it is opened
 * (that is src/db/orm.ts, which knows every feature's entities): the ORM type, and how to tell
 * a lost race on a unique key from a real failure.
 */
export type Orm = MikroORM;
export type { EntityManager };

/** Whether two writers raced on a unique key (the loser treats it as "already done"). */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'UniqueConstraintViolationException' || /unique constraint|duplicate key/i.test(err.message);
}
