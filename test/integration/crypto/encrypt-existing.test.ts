import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedColumns, runSql } from '../../../src/crypto/columns.ts';
import { OrmDataKeyStore } from '../../../src/crypto/data-key-store.ts';
import { countPlaintext, encryptExisting } from '../../../src/crypto/encrypt-existing.ts';
import { keyStatus } from '../../../src/crypto/key-status.ts';
import { masterKeyId } from '../../../src/crypto/master-key.ts';
import { setupCipher } from '../../../src/crypto/setup.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { databaseBytes, found } from './search-bytes.ts';
import { createCryptoDb, SecretNote, type CryptoDb } from './support.ts';

const LEGACY = 25;
const planted = (i: number) => ({
  title: `Legacy patient Ottoline Vexworth-${i}`,
  body: `MRN 55${String(i).padStart(6, '0')} `.repeat(200),
  raw: `X-Legacy: member id QX${i}ZZ`,
  facts: { dateOfService: `2024-11-${String(i).padStart(2, '0')}`, related: [{ subject: `Re: Cornelius Ashgrove-${i}` }] },
});

describe.each(TEST_DRIVERS)('encrypt-existing on %s', (driver) => {
  let db: CryptoDb;

  beforeAll(async () => {
    db = await createCryptoDb(driver);
    // Rows from before encryption: written straight to the tables, as today's code writes them.
    const em = db.orm.em.fork();
    for (let i = 1; i <= LEGACY; i += 1) {
      const p = planted(i);
      await runSql(em, 'insert into secret_note (title, body, raw, facts, tag) values (?, ?, ?, ?, ?)', [p.title, i % 5 === 0 ? null : p.body, Buffer.from(p.raw), i % 2 ? JSON.stringify(p.facts) : null, `legacy-${i}`]);
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('encrypts every plaintext value in id-ordered batches, resumes after a crash, and is a no-op the second time', async () => {
    const key = randomBytes(32);
    const { cipher } = await setupCipher(db.orm, { kind: 'key', master: { id: masterKeyId(key), key } });
    const em = db.orm.em.fork();
    em.create(SecretNote, { title: 'written encrypted', body: 'new body', tag: 'new' });
    await em.flush();
    const columns = encryptedColumns(db.orm);
    expect(columns.map((c) => `${c.label}:${c.form}`)).toEqual(['secret_note.body:text', 'secret_note.facts:json', 'secret_note.raw:bytes', 'secret_note.title:text']);
    expect(await Promise.all(columns.map((c) => countPlaintext(em, c)))).toEqual([20, 13, 25, 25]);

    const dry = await encryptExisting(em, cipher, columns, { dryRun: true });
    expect(dry.total).toBe(0);
    expect(dry.columns.map((c) => c.plaintextBefore)).toEqual([20, 13, 25, 25]);

    let batches = 0;
    const crash = encryptExisting(em, cipher, columns, {
      batchSize: 7,
      onBatch: () => {
        batches += 1;
        if (batches === 2) throw new Error('killed mid-run');
      },
    });
    await expect(crash).rejects.toThrow('killed mid-run');
    expect(await countPlaintext(em, columns[0])).toBe(20 - 14);

    const run = await encryptExisting(em, cipher, columns, { batchSize: 7 });
    expect(run.columns.map((c) => c.encrypted)).toEqual([6, 13, 25, 25]);
    expect(run.total).toBe(69);
    if (driver === 'sqlite') expect(run).toMatchObject({ compacted: true, walTruncated: true });
    expect((await encryptExisting(em, cipher, columns, { batchSize: 7 })).total).toBe(0);

    const notes = await db.orm.em.fork().find(SecretNote, { tag: { $like: 'legacy-%' } }, { orderBy: { id: 'asc' }, populate: ['raw'] });
    expect(notes).toHaveLength(LEGACY);
    notes.forEach((n, k) => {
      const p = planted(k + 1);
      expect([n.title, n.body, n.raw!.toString(), n.facts]).toEqual([p.title, (k + 1) % 5 === 0 ? null : p.body, p.raw, (k + 1) % 2 ? p.facts : null]);
    });

    const status = await keyStatus(em, new OrmDataKeyStore(db.orm.em), columns);
    expect(status.plaintext).toEqual({});
    expect(status.orphans).toEqual({});
    expect(status.dataKeys).toHaveLength(1);
    expect(status.dataKeys[0].byColumn).toEqual({ 'secret_note.body': 21, 'secret_note.facts': 13, 'secret_note.raw': 25, 'secret_note.title': 26 });
    expect(status.masterKeys).toEqual([{ id: masterKeyId(key), dataKeys: [1], values: 85 }]);

    const bytes = databaseBytes(db.target);
    expect(found(bytes, ['legacy-1'])).toEqual(['legacy-1']);
    expect(found(bytes, ['Ottoline', 'Vexworth', 'MRN 55000001', 'member id QX1ZZ', 'QX25ZZ', 'Cornelius', 'Ashgrove', '2024-11-01'])).toEqual([]);
  });
});
