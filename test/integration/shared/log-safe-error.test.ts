import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUnrecoverableError } from '../../../workers/job-errors.ts';
import { logSafeError } from '../../../src/shared/log-safe-error.ts';
import { Subscriber } from '../../../src/subscribers/subscriber.entity.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const PLANTED = 'jane.q.patient.dob19570304@planted.example';

/** The planted value must be in the driver's own error (else the test proves nothing) and nowhere in the safe fields. */
function expectSafe(err: unknown): ReturnType<typeof logSafeError> {
  expect(`${(err as Error).message} ${JSON.stringify(err)}`).toContain('planted');
  const fields = logSafeError(err);
  const unrecoverable = toUnrecoverableError(err);
  expect(JSON.stringify(fields)).not.toContain('planted');
  expect(JSON.stringify(fields)).not.toContain('jane');
  expect(`${unrecoverable.message}\n${unrecoverable.stack}`).not.toContain('planted');
  return fields;
}

describe.each(TEST_DRIVERS)('logSafeError on MikroORM errors (%s)', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const em = t.orm.em.fork();
    em.persist(em.create(Subscriber, { pattern: PLANTED, plan: 'pro' }));
    await em.flush();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('a failing insert (unique violation): class, code and names only', async () => {
    const em = t.orm.em.fork();
    em.persist(em.create(Subscriber, { pattern: PLANTED, plan: 'pro' }));
    const err = await em.flush().catch((e: unknown) => e);
    // SQLite binds the values apart from the SQL (src/db/bound-params.ts) and names only the
    // column; PostgreSQL's error quotes the key in its detail, which the safe fields leave out.
    if (driver === 'sqlite') expect(`${(err as Error).message} ${JSON.stringify(err)}`).not.toContain('planted');
    const fields = driver === 'sqlite' ? logSafeError(err) : expectSafe(err);
    expect(fields.type).toBe('UniqueConstraintViolationException');
    if (driver === 'postgresql') expect(fields).toMatchObject({ code: '23505', table: 'subscriber', constraint: 'subscriber_pattern_unique' });
    else expect(fields).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', constraintKind: 'unique', columns: ['subscriber.pattern'] });
    expect(fields.frames).toMatch(/^at /);
  });

  it('a raw query with the value inlined', async () => {
    const err = await t.orm.em.fork().getConnection().execute(`select * from subscriber where nosuchcolumn = '${PLANTED}'`).catch((e: unknown) => e);
    const fields = expectSafe(err);
    // Raw queries are not converted to MikroORM's exceptions: the driver's own error, its code.
    expect(fields).toMatchObject(driver === 'postgresql' ? { type: 'error', code: '42703' } : { type: 'SqliteError', code: 'SQLITE_ERROR' });
  });
});

describe.skipIf(!TEST_DRIVERS.includes('postgresql'))('logSafeError on PostgreSQL errors', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgresql');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('a value over the column length (22001) in SQL sent through MikroORM', async () => {
    const sql = `insert into subscriber (pattern, plan, active, created_at, updated_at) values ('${PLANTED}${'x'.repeat(400)}', 'pro', true, now(), now())`;
    const err = await t.orm.em.fork().getConnection().execute(sql).catch((e: unknown) => e);
    expect(expectSafe(err)).toMatchObject({ code: '22001' });
  });

  it('an entity flush sends its values apart from the SQL, so its error does not carry them at all', async () => {
    const em = t.orm.em.fork();
    em.persist(em.create(Subscriber, { pattern: `${PLANTED}${'x'.repeat(400)}`, plan: 'pro' }));
    const err = await em.flush().catch((e: unknown) => e);
    expect(logSafeError(err)).toMatchObject({ code: '22001' });
    expect(`${(err as Error).message} ${JSON.stringify(err)}`).not.toContain('planted');
  });

  it('pg’s own error: detail quotes the key, the fields do not', async () => {
    const client = new pg.Client({ connectionString: t.db.driver === 'postgresql' ? t.db.url : '' });
    await client.connect();
    try {
      await client.query('insert into subscriber (pattern, plan, active, created_at, updated_at) values ($1, $2, true, now(), now())', [PLANTED, 'pro']);
      const err = await client.query('insert into subscriber (pattern, plan, active, created_at, updated_at) values ($1, $2, true, now(), now())', [PLANTED, 'pro']).catch((e: unknown) => e);
      expect((err as { detail?: string }).detail).toContain(PLANTED);
      expect(expectSafe(err)).toMatchObject({ code: '23505', schema: 'public', table: 'subscriber', constraint: 'subscriber_pattern_unique' });
    } finally {
      await client.end();
    }
  });
});
