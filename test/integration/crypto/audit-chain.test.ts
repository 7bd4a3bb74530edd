import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendOnlyTriggerSql } from '../../../src/audit/append-only.ts';
import { appendAudit, chainExistingEntries, readChainHead, verifyAuditChain } from '../../../src/audit/audit-chain-store.ts';
import { exportAudit } from '../../../src/audit/audit-export.ts';
import { runSql } from '../../../src/crypto/columns.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { runChild } from './run-child.ts';
import { ChainedAuditEntry, createCryptoDb, type CryptoDb } from './support.ts';

/** Edit the database by hand, the way someone with database access would: past the triggers. */
async function byHand(db: CryptoDb, sql: string): Promise<void> {
  if (db.target.driver === 'postgresql') {
    const client = new pg.Client({ connectionString: db.target.url });
    await client.connect();
    try {
      await client.query('set session_replication_role = replica');
      await client.query(sql);
    } finally {
      await client.end();
    }
    return;
  }
  const em = db.orm.em.fork();
  await runSql(em, 'drop trigger audit_entry_no_update');
  await runSql(em, 'drop trigger audit_entry_no_delete');
  await runSql(em, sql);
  for (const stmt of appendOnlyTriggerSql('sqlite')) await runSql(em, stmt);
}

describe.each(TEST_DRIVERS)('audit chain on %s', (driver) => {
  let db: CryptoDb;

  beforeAll(async () => {
    db = await createCryptoDb(driver);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('adopts the entries written before the chain, in id order, and reports them until then', async () => {
    const em = db.orm.em.fork();
    for (let i = 1; i <= 30; i += 1) {
      em.create(ChainedAuditEntry, { actor: `c${i % 3}@example.test`, action: 'draft.approve', caseId: i, draftId: i % 2 ? i : null, details: { edited: i % 2 === 0, outboxId: i, nested: { b: 1, a: [i] } }, at: new Date(Date.UTC(2025, 1, 1, 0, 0, i, 123)) });
    }
    await em.flush();
    expect((await verifyAuditChain(db.orm.em.fork())).problem).toMatchObject({ kind: 'unchained', id: 1 });
    expect(await chainExistingEntries(db.orm.em.fork(), 7)).toBe(30);
    expect(await chainExistingEntries(db.orm.em.fork(), 7)).toBe(0);
    const rows = await runSql<{ id: number; seq: number | string }>(db.orm.em.fork(), 'select id, seq from audit_entry order by id');
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((r) => Number(r.id)));
    expect(await verifyAuditChain(db.orm.em.fork(), 8)).toMatchObject({ ok: true, entries: 30, lastSeq: 30 });
  });

  it('exports the adopted entries with their values decoded alike on both drivers, filtered by actor, case and time', async () => {
    const all = [];
    for await (const e of exportAudit(db.orm.em.fork(), {}, 4)) all.push(e);
    expect(all).toHaveLength(30);
    expect(all[1]).toEqual({ seq: 2, id: 2, at: '2025-02-01T00:00:02.123Z', actor: 'c2@example.test', action: 'draft.approve', caseId: 2, draftId: null, details: { edited: true, outboxId: 2, nested: { b: 1, a: [2] } }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const mine = [];
    for await (const e of exportAudit(db.orm.em.fork(), { user: 'c1@example.test', since: new Date(Date.UTC(2025, 1, 1, 0, 0, 10)) })) mine.push(e.caseId);
    expect(mine).toEqual([10, 13, 16, 19, 22, 25, 28]);
    const oneCase = [];
    for await (const e of exportAudit(db.orm.em.fork(), { caseId: 7 })) oneCase.push(e.draftId);
    expect(oneCase).toEqual([7]);
  });

  it('appends in the caller’s transaction: a rollback leaves neither entry nor head behind', async () => {
    const before = await readChainHead(db.orm.em.fork());
    const failed = db.orm.em.fork().transactional(async (tx) => {
      await appendAudit(tx, { actor: 'a@example.test', action: 'case.view', caseId: 1 });
      throw new Error('the action failed');
    });
    await expect(failed).rejects.toThrow('the action failed');
    expect(await readChainHead(db.orm.em.fork())).toEqual(before);
    const e = await appendAudit(db.orm.em.fork(), { actor: 'a@example.test', action: 'case.view', caseId: 1, details: { route: 'web' } });
    expect(e.seq).toBe(before!.seq + 1);
    expect(e.prevHash).toBe(before!.hash);
    expect(await verifyAuditChain(db.orm.em.fork())).toMatchObject({ ok: true, lastSeq: e.seq, lastHash: e.hash });
  });

  it('never forks when two processes and this one append at the same time', async () => {
    const start = (await readChainHead(db.orm.em.fork()))!.seq;
    const children = [runChild<{ seqs: number[] }>({ op: 'append', target: db.target, n: 40, actor: 'p1@example.test' }), runChild<{ seqs: number[] }>({ op: 'append', target: db.target, n: 40, actor: 'p2@example.test' })];
    const local: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const batch = await Promise.all([0, 1].map((k) => appendAudit(db.orm.em.fork(), { actor: 'p0@example.test', action: 'code.search', details: { i, k } })));
      local.push(...batch.map((e) => e.seq));
      await new Promise((r) => setTimeout(r, 20));
    }
    const [a, b] = await Promise.all(children);
    const all = [...a.seqs, ...b.seqs, ...local].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => start + 1 + i));
    const result = await verifyAuditChain(db.orm.em.fork(), 50);
    expect(result).toMatchObject({ ok: true, lastSeq: start + 120 });
  });

  it('is append-only below the application, and verify finds the row edited by hand, then a deleted one', async () => {
    const em = db.orm.em.fork();
    for (const stmt of appendOnlyTriggerSql(driver)) await runSql(em, stmt);
    await expect(runSql(em, `update audit_entry set actor = 'x' where seq = 5`)).rejects.toThrow(/append-only/);
    await expect(runSql(em, `delete from audit_entry where seq = 5`)).rejects.toThrow(/append-only/);
    await appendAudit(em, { actor: 'after-triggers@example.test', action: 'audit.verify' });
    expect((await verifyAuditChain(db.orm.em.fork())).ok).toBe(true);

    const [row] = await runSql<{ id: number; actor: string }>(em, 'select id, actor from audit_entry where seq = 5');
    await byHand(db, `update audit_entry set actor = 'someone-else@example.test' where seq = 5`);
    expect((await verifyAuditChain(db.orm.em.fork())).problem).toMatchObject({ kind: 'hash', seq: 5, id: Number(row.id) });
    await byHand(db, `update audit_entry set actor = '${row.actor}' where seq = 5`);
    expect((await verifyAuditChain(db.orm.em.fork())).ok).toBe(true);

    await byHand(db, `update audit_entry set details = '{"edited":true,"outboxId":99,"nested":{"a":[12],"b":1}}' where seq = 12`);
    expect((await verifyAuditChain(db.orm.em.fork())).problem).toMatchObject({ kind: 'hash', seq: 12 });
    // The original details in another key order: the canonical form makes it the same entry again.
    await byHand(db, `update audit_entry set details = '{"nested":{"b":1,"a":[12]},"outboxId":12,"edited":true}' where seq = 12`);
    expect((await verifyAuditChain(db.orm.em.fork())).ok).toBe(true);

    await byHand(db, 'delete from audit_entry where seq = 12');
    expect((await verifyAuditChain(db.orm.em.fork())).problem).toMatchObject({ kind: 'gap', seq: 13 });
    const head = (await readChainHead(em))!;
    await byHand(db, `delete from audit_entry where seq >= 12`);
    expect((await verifyAuditChain(db.orm.em.fork())).problem).toMatchObject({ kind: 'head' });
    expect(head.seq).toBeGreaterThan(12);
  });
});
