import { describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { cipherOf } from '../../../src/crypto/cipher.ts';
import type { Keyring } from '../../../src/crypto/keyring.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { inTransaction, insertEntity, query, readEntity } from '../../../src/shared/db.ts';
import { createTestDatabase, TEST_DRIVERS } from '../../support/db.ts';

/** A draft with every kind of column: encrypted text and JSON, plain JSON, a boolean, a double, datetimes, nulls and defaults. */
function draftFields(caseMessageId: number) {
  return {
    caseId: 7, caseMessageId, kind: 'answer' as const, subject: "Re: 99213 o'hara \u{1F600}", bodyText: 'line 1\nline 2 ? $1', bodyHtml: '<p>x</p>',
    codes: { cpt: ['99213', '97110'] }, evidence: { pairs: [{ a: '97110', b: '97140', modifier: 1 }] }, versions: ['hcpcs-2026'],
    suggestedAnswer: null, suggestedText: 'the text', intents: ['pair'], suggestionFacts: [{ kind: 'ncci', ok: false }],
    approvedUnchanged: true, editDistance: 0.25, dueAt: new Date('2026-03-04T05:06:07.089Z'), createdAt: new Date('2026-03-01T00:00:00.001Z'),
  };
}

/** What the ORM reads back of a draft, for comparison (the columns as the entity sees them). */
function seen(d: Draft) {
  const { id: _id, updatedAt: _u, ...rest } = { ...d };
  return rest;
}

describe.each(TEST_DRIVERS)('raw entity rows (%s)', (driver) => {
  it('inserts an entity exactly as the unit of work does, encrypted columns included', async () => {
    const t = await createTestDatabase(driver);
    try {
      const raw = await insertEntity(t.orm.em.fork(), Object.assign(new Draft(), draftFields(1)));
      expect(raw.id).toBeGreaterThan(0);
      const viaOrm = t.orm.em.fork().create(Draft, draftFields(2));
      await t.orm.em.getRepository(Draft).getEntityManager().fork().persistAndFlush(viaOrm);

      const [a, b] = await Promise.all([1, 2].map((caseMessageId) => t.orm.em.fork().findOneOrFail(Draft, { caseMessageId })));
      expect(a.id).toBe(raw.id);
      expect(seen(a)).toEqual({ ...seen(b), caseMessageId: 1 });
      expect(a.followUpKey).toBe('');
      expect(a.state).toBe('pending');

      // Stored the same way, column by column: sealed where the ORM seals, the same types elsewhere.
      const rows = await query(t.orm.em.fork(), 'select * from draft order by case_message_id');
      for (const column of Object.keys(rows[0])) {
        if (['id', 'case_message_id', 'updated_at'].includes(column)) continue;
        const [x, y] = rows.map((r) => r[column]);
        if (typeof x === 'string' && /enc:1:/.test(x)) expect(y, column).toMatch(/enc:1:/);
        else expect(x, column).toEqual(y);
      }
      expect(String(rows[0].subject)).not.toContain('99213');
    } finally {
      await t.drop();
    }
  });

  it('reads an entity as a find does (lazy bytes decrypted on request), or null', async () => {
    const t = await createTestDatabase(driver);
    try {
      const em = t.orm.em.fork();
      const rawSource = Buffer.from('From: a@b.test\r\n\r\nDOS 01/02/2026 \u0000\xff', 'latin1');
      const row = em.create(InboundMessage, {
        mailbox: 'INBOX', uidValidity: 9, uid: 3, contentHash: 'h'.repeat(64), raw: rawSource, size: rawSource.length, state: 'stored', reasons: ['a', 'b'], senderReasons: ['spf pass'], senderVerdict: 'verified',
      });
      await em.flush();
      const found = await t.orm.em.fork().findOneOrFail(InboundMessage, { id: row.id }, { populate: ['raw'] });
      const read = await readEntity(t.orm.em.fork(), InboundMessage, 'id = ?', [row.id], ['raw']);
      expect(read).toBeInstanceOf(InboundMessage);
      expect(Object.fromEntries(Object.entries(read!))).toEqual(Object.fromEntries(Object.entries(found)));
      expect(read!.raw).toEqual(rawSource);
      expect((await readEntity(t.orm.em.fork(), InboundMessage, 'id = ?', [row.id]))!.raw).toBeUndefined();
      expect(await readEntity(t.orm.em.fork(), InboundMessage, 'id = ?', [row.id + 1000])).toBeNull();
    } finally {
      await t.drop();
    }
  });

  it('keeps no plaintext of a raw row for the change check, which only managed entities need', async () => {
    const t = await createTestDatabase(driver);
    try {
      const ring = cipherOf(t.orm.em.getPlatform()) as Keyring;
      expect(ring.encrypts).toBe(true);
      const before = ring.cacheStats();
      const raw = await insertEntity(t.orm.em.fork(), Object.assign(new Draft(), draftFields(1)));
      const read = await readEntity(t.orm.em.fork(), Draft, 'id = ?', [raw.id]);
      expect(read!.bodyText).toBe('line 1\nline 2 ? $1');
      expect(read!.evidence).toEqual(draftFields(1).evidence);
      expect(ring.cacheStats()).toEqual(before);

      // A find manages the entity: its plaintexts are kept, and a change to one is written.
      const em = t.orm.em.fork();
      const managed = await em.findOneOrFail(Draft, { id: raw.id });
      expect(ring.cacheStats().entries).toBeGreaterThan(before.entries);
      managed.bodyText = 'edited';
      await em.flush();
      expect((await readEntity(t.orm.em.fork(), Draft, 'id = ?', [raw.id]))!.bodyText).toBe('edited');
    } finally {
      await t.drop();
    }
  });

  it('runs a transaction: committed with what its unit of work holds, rolled back when it throws', async () => {
    const t = await createTestDatabase(driver);
    try {
      const fail = new Error('roll back');
      const caseOf = (subject: string) => Object.assign(new Case(), { subject, requesterEmail: 'c@d.test' });
      await expect(inTransaction(t.orm.em.fork(), async (tx) => {
        await insertEntity(tx, caseOf('rolled back'));
        expect(await query(tx, 'select count(*) as n from cases')).toEqual([{ n: driver === 'postgresql' ? '1' : 1 }]);
        throw fail;
      })).rejects.toBe(fail);
      const kept = await inTransaction(t.orm.em.fork(), async (tx) => {
        tx.create(Case, { subject: 'through the unit of work', requesterEmail: 'e@f.test' });
        return insertEntity(tx, caseOf('raw'));
      });
      // Inside a transaction it joins it (on SQLite a second one would wait for the only connection forever).
      await t.orm.em.fork().transactional(async (outer) => {
        await inTransaction(outer, async (tx) => void (await insertEntity(tx, caseOf('nested'))));
      });
      const subjects = (await t.orm.em.fork().find(Case, {}, { orderBy: { id: 'asc' } })).map((c) => c.subject);
      expect(subjects.sort()).toEqual(['nested', 'raw', 'through the unit of work']);
      expect(kept.id).toBeGreaterThan(0);

      // A raw statement fails with the driver's exception class, as the ORM's own calls do.
      const again = Object.assign(new Draft(), draftFields(5));
      await insertEntity(t.orm.em.fork(), again);
      await expect(insertEntity(t.orm.em.fork(), Object.assign(new Draft(), draftFields(5)))).rejects.toMatchObject({ name: 'UniqueConstraintViolationException' });
    } finally {
      await t.drop();
    }
  });
});
