import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { query } from '../../../src/codes/sql.ts';
import { Subscriber } from '../../../src/subscribers/subscriber.entity.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

/** Texts that SQL escaping gets wrong when done by hand: quotes, backslashes, placeholders, $n, non-BMP characters. */
const AWKWARD = ["o'hara\\'; drop table x; --", 'is 99213 ok? and $1 $2 ??', 'E\'\\\\x00\'', 'caf\u00e9 \u{1F600} \u2028'];

/** The awkward texts stored through entities read back exactly, through entities and as raw statement values. */
async function expectAwkwardRoundTrip(t: TestDatabase): Promise<void> {
  const em = t.orm.em.fork();
  for (const [i, text] of AWKWARD.entries()) em.create(Subscriber, { pattern: `${text}@${i}.test`, plan: text });
  await em.flush();
  const loaded = await t.orm.em.fork().find(Subscriber, { plan: { $in: AWKWARD } }, { orderBy: { id: 'asc' } });
  expect(loaded.map((s) => s.plan)).toEqual(AWKWARD);
  for (const text of AWKWARD) {
    expect(await query(t.orm.em.fork(), 'select plan, ? as echoed, length(?) as n from subscriber where plan = ?', [text, text, text])).toEqual([{ plan: text, echoed: text, n: [...text].length }]);
  }
}

describe.skipIf(!TEST_DRIVERS.includes('postgresql'))('statements with their values apart (PostgreSQL)', () => {
  it('stores and reads back awkward values exactly, through entities and raw SQL', async () => {
    const t = await createTestDatabase('postgresql');
    try {
      await expectAwkwardRoundTrip(t);
      const bytes = Buffer.from([0, 39, 92, 63, 255]);
      expect((await query(t.orm.em.fork(), 'select ?::bytea as b', [bytes]))[0].b).toEqual(bytes);
    } finally {
      await t.drop();
    }
  });

  it('runs a transaction\'s statements on its connection (a rollback undoes them) and prepares a repeated statement once', async () => {
    const t = await createTestDatabase('postgresql');
    try {
      const fail = new Error('roll back');
      await expect(t.orm.em.fork().transactional(async (tx) => {
        await query(tx, 'insert into subscriber (pattern, plan, active, created_at, updated_at) values (?, ?, ?, now(), now())', ['@rolled.test', 'pro', true]);
        expect(await query(tx, 'select count(*)::int as n from subscriber where pattern = ?', ['@rolled.test'])).toEqual([{ n: 1 }]);
        throw fail;
      })).rejects.toBe(fail);
      expect(await query(t.orm.em.fork(), 'select count(*)::int as n from subscriber where pattern = ?', ['@rolled.test'])).toEqual([{ n: 0 }]);

      // Inside one transaction (one connection), the same text three times: one prepared statement of ours.
      const prepared = await t.orm.em.fork().transactional(async (tx) => {
        for (let i = 0; i < 3; i++) await query(tx, 'select count(*) as n from subscriber where plan = ? and id > ?', ['pro', i]);
        return query(tx, "select count(*)::int as n from pg_prepared_statements where name like 'cd\\_%' and statement like '%where plan = $1 and id > $2%'", []);
      });
      expect(prepared).toEqual([{ n: 1 }]);
    } finally {
      await t.drop();
    }
  });
});

describe.skipIf(!TEST_DRIVERS.includes('sqlite'))('statements with their values apart (SQLite)', () => {
  it('stores values as the inlined text stored them, round-trips awkward ones, and compiles a repeated statement once', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      await expectAwkwardRoundTrip(t);
      // A whole number into a text column is `3`, not `3.0`; a datetime its epoch milliseconds; a boolean 1.
      const at = new Date('2026-03-04T05:06:07.089Z');
      await query(t.orm.em.fork(), 'insert into subscriber (pattern, plan, active, created_at, updated_at) values (?, ?, ?, ?, ?)', ['@typed.test', 3, true, at, at]);
      expect(await query(t.orm.em.fork(), "select plan, typeof(plan) as pt, active, typeof(created_at) as ct, created_at from subscriber where pattern = '@typed.test'")).toEqual([
        { plan: '3', pt: 'text', active: 1, ct: 'integer', created_at: at.getTime() },
      ]);

      const Database = createRequire(import.meta.url)('better-sqlite3') as { prototype: { prepare: (sql: string) => unknown } };
      const prepare = vi.spyOn(Database.prototype, 'prepare');
      try {
        for (let i = 0; i < 3; i++) await query(t.orm.em.fork(), 'select count(*) as n from subscriber where plan = ? and id > ?', ['pro', i]);
        expect(prepare.mock.calls.filter(([sql]) => sql.includes('where plan = ? and id > ?'))).toHaveLength(1);
      } finally {
        prepare.mockRestore();
      }
    } finally {
      await t.drop();
    }
  });
});
