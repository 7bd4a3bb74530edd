import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError, ValidationError } from '../../../src/shared/errors.ts';
import { toRetryableError, toUnrecoverableError } from '../../../workers/job-errors.ts';
import { logSafeError, safeErrorSummary } from '../../../src/shared/log-safe-error.ts';

const PLANTED = 'Jane Q. Patient 1957-03-04 MRN 00482913';

/** Run `fn`, return what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** better-sqlite3 (the driver under MikroORM's SQLite), with just the calls used here typed. */
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown };
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => SqliteDb;

function sqliteWithRow(): SqliteDb {
  const db = new Database(':memory:');
  db.exec('create table subscriber (id integer primary key, pattern text not null unique, plan text check (length(plan) < 10))');
  db.prepare('insert into subscriber (pattern, plan) values (?, ?)').run(PLANTED, 'pro');
  return db;
}

describe('logSafeError: real better-sqlite3 errors', () => {
  it('a unique violation: class, code, constraint kind and column names; the value is gone', () => {
    const db = sqliteWithRow();
    const err = thrown(() => db.prepare('insert into subscriber (pattern, plan) values (?, ?)').run(PLANTED, 'pro'));
    const fields = logSafeError(err);
    expect(fields).toMatchObject({ type: 'SqliteError', code: 'SQLITE_CONSTRAINT_UNIQUE', constraintKind: 'unique', columns: ['subscriber.pattern'] });
    expect(JSON.stringify(fields)).not.toContain('Jane');
  });

  it('SQL text with an inlined value in the message (what knex does) never reaches the fields', () => {
    const db = sqliteWithRow();
    const err = thrown(() => db.exec(`insert into subscriber (pattern, plan) values ('${PLANTED}', 'pro')`)) as Error;
    err.message = `insert into subscriber (pattern, plan) values ('${PLANTED}', 'pro') - ${err.message}`;
    expect(err.message).toContain(PLANTED);
    const fields = logSafeError(err);
    expect(fields.columns).toEqual(['subscriber.pattern']);
    expect(JSON.stringify(fields)).not.toContain('Jane');
    expect(JSON.stringify(fields)).not.toContain('00482913');
  });

  it('not-null and check violations, a syntax error near a value', () => {
    const db = sqliteWithRow();
    expect(logSafeError(thrown(() => db.prepare('insert into subscriber (plan) values (?)').run('x')))).toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL', constraintKind: 'not-null', columns: ['subscriber.pattern'] });
    const check = logSafeError(thrown(() => db.prepare('insert into subscriber (pattern, plan) values (?, ?)').run('a', PLANTED)));
    expect(check).toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK', constraintKind: 'check' });
    const syntax = logSafeError(thrown(() => db.exec(`select * from subscriber where pattern = ${PLANTED}`)));
    expect(syntax).toMatchObject({ type: 'SqliteError', code: 'SQLITE_ERROR' });
    expect(JSON.stringify([check, syntax])).not.toMatch(/Jane|Patient|00482913/);
  });
});

describe('logSafeError: other errors', () => {
  it('our own errors: class and code, never the message', () => {
    expect(logSafeError(new ValidationError(`the From address "${PLANTED}" is not an email address`))).toMatchObject({ type: 'ValidationError', code: 'validation' });
    expect(JSON.stringify(logSafeError(new NotFoundError(`no case for ${PLANTED}`)))).not.toContain('Jane');
  });

  it('a Node system error: code, errno and syscall, not the path', async () => {
    const err = await readFile(`/nonexistent/${PLANTED}.txt`).catch((e: unknown) => e);
    const fields = logSafeError(err);
    expect(fields).toMatchObject({ type: 'Error', code: 'ENOENT', syscall: 'open' });
    expect(typeof fields.errno).toBe('number');
    expect(JSON.stringify(fields)).not.toContain('Jane');
  });

  it('a pg-shaped error: SQLSTATE and schema names kept, detail and hint dropped', () => {
    const err = Object.assign(new Error(`duplicate key value violates unique constraint "subscriber_pattern_unique"`), {
      name: 'error',
      code: '23505',
      severity: 'ERROR',
      detail: `Key (pattern)=(${PLANTED}) already exists.`,
      hint: `try ${PLANTED}`,
      where: `SQL statement "insert … ${PLANTED}"`,
      schema: 'public',
      table: 'subscriber',
      constraint: 'subscriber_pattern_unique',
      routine: '_bt_check_unique',
    });
    const fields = logSafeError(err);
    expect(fields).toMatchObject({ type: 'error', code: '23505', schema: 'public', table: 'subscriber', constraint: 'subscriber_pattern_unique', routine: '_bt_check_unique' });
    expect(JSON.stringify(fields)).not.toContain('Jane');
  });

  it('drops names that are not identifier-shaped and stacks it cannot cut safely', () => {
    const err = Object.assign(new Error('x'), { table: PLANTED, constraint: `a'); drop table x; --`, code: PLANTED });
    err.stack = `Rewritten: ${PLANTED}\n    at fake (${PLANTED})`;
    expect(logSafeError(err)).toEqual({ type: 'Error' });
  });

  it('keeps code locations of the stack, not the message lines above them', () => {
    const err = new Error(`line one ${PLANTED}\n    at not a frame ${PLANTED}`);
    const fields = logSafeError(err);
    expect(fields.frames).toMatch(/^at /);
    expect(fields.frames).not.toContain('Jane');
  });

  it('follows the cause chain, three levels at most, and survives cycles', () => {
    const inner = Object.assign(new Error(PLANTED), { code: 'ECONNRESET' });
    const outer = new PermanentError(`could not store ${PLANTED}`, { cause: inner });
    expect(logSafeError(outer)).toMatchObject({ type: 'PermanentError', code: 'permanent', cause: { type: 'Error', code: 'ECONNRESET' } });
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(() => logSafeError(a)).not.toThrow();
    let deep: unknown = new Error('0');
    for (let i = 1; i < 10; i++) deep = new Error(String(i), { cause: deep });
    expect(JSON.stringify(logSafeError(deep)).match(/"type"/g)).toHaveLength(4);
  });

  it('answers for anything thrown', () => {
    expect(logSafeError('a string with Jane')).toEqual({ type: 'string' });
    expect(logSafeError(null)).toEqual({ type: 'null' });
    expect(logSafeError(undefined)).toEqual({ type: 'undefined' });
    expect(logSafeError(42)).toEqual({ type: 'number' });
    expect(logSafeError({ message: PLANTED })).toEqual({ type: 'Object' });
    expect(logSafeError(Object.create(null))).toEqual({ type: 'object' });
  });
});

describe('toUnrecoverableError / toRetryableError', () => {
  it('gives BullMQ a safe message and keeps the cause and the code', () => {
    const db = sqliteWithRow();
    const original = thrown(() => db.prepare('insert into subscriber (pattern, plan) values (?, ?)').run(PLANTED, 'pro')) as Error;
    const safe = toUnrecoverableError(original);
    expect(safe).toBeInstanceOf(UnrecoverableError);
    expect(safe.name).toBe('UnrecoverableError');
    expect(safe.message).toBe('SqliteError SQLITE_CONSTRAINT_UNIQUE subscriber.pattern');
    expect(safe.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(safe.cause).toBe(original);
    expect(`${safe.message}\n${safe.stack}\n${JSON.stringify(safe)}`).not.toContain('Jane');
    expect(logSafeError(safe).cause).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });

    const retry = toRetryableError(Object.assign(new Error(PLANTED), { code: 'ECONNREFUSED' }));
    expect(retry).not.toBeInstanceOf(UnrecoverableError);
    expect(retry.message).toBe('Error ECONNREFUSED');
    expect(retry.code).toBe('ECONNREFUSED');
  });

  it('summarises any thrown value', () => {
    expect(safeErrorSummary(new ValidationError(PLANTED))).toBe('ValidationError validation');
    expect(toUnrecoverableError('oops').message).toBe('string');
  });
});
