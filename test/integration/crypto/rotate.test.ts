import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedColumns } from '../../../src/crypto/columns.ts';
import { OrmDataKeyStore } from '../../../src/crypto/data-key-store.ts';
import { KeyUnavailableError } from '../../../src/crypto/errors.ts';
import { keyStatus } from '../../../src/crypto/key-status.ts';
import type { Keyring } from '../../../src/crypto/keyring.ts';
import { parseMasterKey } from '../../../src/crypto/master-key.ts';
import type { RotateResult } from '../../../src/crypto/rotate.ts';
import { setupCipher } from '../../../src/crypto/setup.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { runChild } from './run-child.ts';
import { createCryptoDb, openOrm, SecretNote, type CryptoDb } from './support.ts';

const b64 = () => randomBytes(32).toString('base64');
const text = (i: number) => ({ title: `note ${i}`, body: `body ${i} `.repeat(50) });

describe.each(TEST_DRIVERS)('keys rotate on %s', (driver) => {
  let db: CryptoDb;
  const oldKey = b64();
  const newKey = b64();

  beforeAll(async () => {
    db = await createCryptoDb(driver);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('re-wraps every data key while a service keeps writing; nothing is lost and the new key alone reads everything', async () => {
    const { cipher } = await setupCipher(db.orm, { kind: 'key', master: parseMasterKey(oldKey, 'DATA_KEY') }, { activationDelayMs: 0 });
    const ring = cipher as Keyring;
    // A few generations of data keys, so there is something to re-wrap in batches.
    for (let k = 0; k < 4; k += 1) await ring.createDataKey();
    let written = 0;
    const write = async () => {
      const em = db.orm.em.fork();
      em.create(SecretNote, { ...text(written), tag: `w${written}` });
      await em.flush();
      written += 1;
    };
    for (let i = 0; i < 20; i += 1) await write();

    let done = false;
    const rotation = runChild<RotateResult>({ op: 'rotate', target: db.target, from: [oldKey], to: newKey, batchSize: 1 }).finally(() => {
      done = true;
    });
    // better-sqlite3 answers synchronously: yield to the event loop so the child's exit is seen.
    while (!done) {
      await write();
      await new Promise((r) => setTimeout(r, 10));
    }
    const result = await rotation;
    const duringAndAfter = written;
    for (let i = 0; i < 5; i += 1) await write();

    expect(result).toMatchObject({ rewrapped: 5, verified: 5, toId: parseMasterKey(newKey, 'x').id });
    expect(duringAndAfter).toBeGreaterThan(20);

    const fresh = await openOrm(db.target);
    try {
      await setupCipher(fresh, { kind: 'key', master: parseMasterKey(newKey, 'DATA_KEY') });
      const notes = await fresh.em.fork().find(SecretNote, {}, { orderBy: { id: 'asc' } });
      expect(notes).toHaveLength(written);
      notes.forEach((n, i) => expect([n.title, n.body, n.tag]).toEqual([text(i).title, text(i).body, `w${i}`]));
      const status = await keyStatus(fresh.em.fork(), new OrmDataKeyStore(fresh.em), encryptedColumns(fresh));
      expect(status.masterKeys).toEqual([{ id: parseMasterKey(newKey, 'x').id, dataKeys: [1, 2, 3, 4, 5], values: written * 2 }]);
    } finally {
      await fresh.close(true);
    }

    const stale = await openOrm(db.target);
    try {
      await expect(setupCipher(stale, { kind: 'key', master: parseMasterKey(oldKey, 'DATA_KEY') })).rejects.toThrow(KeyUnavailableError);
    } finally {
      await stale.close(true);
    }
  });
});
