import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrmDataKeyStore } from '../../../src/crypto/data-key-store.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { masterKeyId, type MasterKey } from '../../../src/crypto/master-key.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { runChild } from './run-child.ts';
import { createCryptoDb, openOrm, type CryptoDb } from './support.ts';

const key = randomBytes(32);
const mk: MasterKey = { id: masterKeyId(key), key };
const L = 'secret_note.body';

describe.each(TEST_DRIVERS)('keyring on the data_key table (%s)', (driver) => {
  let db: CryptoDb;

  beforeAll(async () => {
    db = await createCryptoDb(driver);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('ends with one first data key when two processes start at once on an empty table', async () => {
    if (driver === 'sqlite') {
      // One process holds one SQLite connection; two here would wait on each other's lock inside one event loop.
      const runs = await Promise.all(['one', 'two'].map((text) => runChild<{ activeKeyId: number; sealed: string }>({ op: 'open-keyring', target: db.target, key: key.toString('base64'), text })));
      expect(runs.map((r) => r.activeKeyId)).toEqual([1, 1]);
      const ring = await Keyring.open({ store: new OrmDataKeyStore(db.orm.em), masterKeys: [mk] });
      expect(runs.map((r) => ring.openText(r.sealed, L))).toEqual(['one', 'two']);
      expect(await new OrmDataKeyStore(db.orm.em).list(0)).toHaveLength(1);
      return;
    }
    const other = await openOrm(db.target);
    try {
      const [a, b] = await Promise.all([
        Keyring.open({ store: new OrmDataKeyStore(db.orm.em), masterKeys: [mk] }),
        Keyring.open({ store: new OrmDataKeyStore(other.em), masterKeys: [mk] }),
      ]);
      expect(a.activeKey().id).toBe(1);
      expect(b.activeKey().id).toBe(1);
      expect(b.openText(a.sealText('both read this', L), L)).toBe('both read this');
      expect(await new OrmDataKeyStore(db.orm.em).list(0)).toHaveLength(1);
    } finally {
      await other.close(true);
    }
  });

  it('creates the next data key, retires the previous one, and another process picks it up by refreshing', async () => {
    let now = Date.now();
    const clock = () => new Date(now);
    const writer = await Keyring.open({ store: new OrmDataKeyStore(db.orm.em), masterKeys: [mk], now: clock, activationDelayMs: 60_000 });
    const reader = await Keyring.open({ store: new OrmDataKeyStore(db.orm.em), masterKeys: [mk], now: clock });
    const created = await writer.createDataKey();
    expect(created.id).toBe(2);
    const rows = await new OrmDataKeyStore(db.orm.em).list(0);
    expect(rows.map((r) => [r.id, r.retiredAt?.getTime() ?? null])).toEqual([[1, created.activeFrom.getTime()], [2, null]]);
    expect(rows.every((r) => !r.wrapped.includes(writer.activeKey().key.toString('base64')))).toBe(true);
    now += 60_000;
    const sealed = writer.sealText('under key 2', L);
    expect(sealed.startsWith('enc:1:2:')).toBe(true);
    expect(await reader.refresh()).toBe(1);
    expect(reader.openText(sealed, L)).toBe('under key 2');
  });
});
