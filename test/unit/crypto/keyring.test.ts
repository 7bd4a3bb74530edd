import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { PlaintextCipher } from '../../../src/crypto/cipher.ts';
import { DecryptError, KeyUnavailableError } from '../../../src/crypto/errors.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { masterKeyId, type MasterKey } from '../../../src/crypto/master-key.ts';
import { MemoryDataKeyStore } from './memory-store.ts';

const master = (): MasterKey => {
  const key = randomBytes(32);
  return { id: masterKeyId(key), key };
};
const L = 'case_note.text';

/** A clock the test moves by hand. */
function clock(start = Date.parse('2025-03-01T10:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('Keyring', () => {
  it('creates the first data key on first open, stores it only wrapped, and a second process reads what the first wrote', async () => {
    const store = new MemoryDataKeyStore();
    const mk = master();
    const a = await Keyring.open({ store, masterKeys: [mk] });
    expect(store.rows.size).toBe(1);
    const row = store.rows.get(1)!;
    expect(row.masterKeyId).toBe(mk.id);
    expect(row.wrapped).not.toContain(a.activeKey().key.toString('base64'));
    const sealed = a.sealText('Pt John Q. Public, MRN 123456', L);
    const b = await Keyring.open({ store, masterKeys: [mk] });
    expect(store.rows.size).toBe(1);
    expect(b.openText(sealed, L)).toBe('Pt John Q. Public, MRN 123456');
    expect(b.openBytes(a.sealBytes(Buffer.from('raw'), 'x.raw'), 'x.raw').toString()).toBe('raw');
  });

  it('seals one Buffer once per label and active key (MikroORM converts a value several times per write); another Buffer gets its own IV', async () => {
    const store = new MemoryDataKeyStore();
    const c = clock();
    const keyring = await Keyring.open({ store, masterKeys: [master()], now: c.now, activationDelayMs: 1000 });
    const raw = Buffer.from('From: a@b.test\r\n\r\nPt John Q. Public');
    const first = keyring.sealBytes(raw, 'inbound_message.raw');
    expect(keyring.sealBytes(raw, 'inbound_message.raw')).toBe(first);
    expect(keyring.sameBytes(first, keyring.sealBytes(raw, 'inbound_message.raw'), 'inbound_message.raw')).toBe(true);
    // Equal content in another Buffer: a fresh IV, never a repeated ciphertext.
    const copy = keyring.sealBytes(Buffer.from(raw), 'inbound_message.raw');
    expect(copy.equals(first)).toBe(false);
    expect(keyring.sameBytes(first, copy, 'inbound_message.raw')).toBe(true);
    // Another column's label, or a new active key: sealed again, and each opens to the content.
    const otherLabel = keyring.sealBytes(raw, 'attachment_content.content');
    expect(otherLabel.equals(first)).toBe(false);
    await keyring.createDataKey();
    c.advance(2000);
    expect(keyring.activeKey().id).toBe(2);
    const underNewKey = keyring.sealBytes(raw, 'inbound_message.raw');
    expect(underNewKey.equals(first)).toBe(false);
    expect(keyring.openBytes(underNewKey, 'inbound_message.raw').equals(raw)).toBe(true);
    expect(keyring.openBytes(otherLabel, 'attachment_content.content').equals(raw)).toBe(true);
  });

  it('ends with one first key when two processes start at once on an empty table', async () => {
    const store = new MemoryDataKeyStore();
    const mk = master();
    const [a, b] = await Promise.all([Keyring.open({ store, masterKeys: [mk] }), Keyring.open({ store, masterKeys: [mk] })]);
    expect(store.rows.size).toBe(1);
    expect(b.openText(a.sealText('x', L), L)).toBe('x');
    expect(a.activeKey().id).toBe(b.activeKey().id);
  });

  it('creates no second generation when the other process inserts the first key between its two reads', async () => {
    const store = new MemoryDataKeyStore();
    const mk = master();
    const list = store.list.bind(store);
    let reads = 0;
    // This process's first read sees an empty table; the other process's insert lands before its next read.
    vi.spyOn(store, 'list').mockImplementation(async (afterId) => {
      reads += 1;
      if (reads === 1) {
        const result = await list(afterId);
        const otherProcess = { list, insert: store.insert.bind(store), listNotWrappedBy: store.listNotWrappedBy.bind(store), rewrap: store.rewrap.bind(store) };
        await Keyring.open({ store: otherProcess, masterKeys: [mk] });
        return result;
      }
      return list(afterId);
    });
    const late = await Keyring.open({ store, masterKeys: [mk] });
    expect([...store.rows.keys()]).toEqual([1]);
    expect(late.activeKey().id).toBe(1);
  });

  it('refuses to open when a data key is wrapped by a master key it was not given', async () => {
    const store = new MemoryDataKeyStore();
    await Keyring.open({ store, masterKeys: [master()] });
    await expect(Keyring.open({ store, masterKeys: [master()] })).rejects.toThrow(KeyUnavailableError);
  });

  it('starts writing with a new data key only after the activation delay; others load it by refreshing', async () => {
    const store = new MemoryDataKeyStore();
    const mk = master();
    const c = clock();
    const writer = await Keyring.open({ store, masterKeys: [mk], now: c.now, activationDelayMs: 60_000 });
    const reader = await Keyring.open({ store, masterKeys: [mk], now: c.now, activationDelayMs: 60_000 });
    const created = await writer.createDataKey();
    expect(created.id).toBe(2);
    expect(store.rows.get(1)!.retiredAt?.getTime()).toBe(created.activeFrom.getTime());
    expect(writer.activeKey().id).toBe(1);
    c.advance(60_000);
    expect(writer.activeKey().id).toBe(2);
    const sealed = writer.sealText('after rotation', L);
    expect(sealed.startsWith('enc:1:2:')).toBe(true);
    // The reader never refreshed: a clear, retryable error, never garbage.
    expect(() => reader.openText(sealed, L)).toThrow(KeyUnavailableError);
    await reader.refresh();
    expect(reader.openText(sealed, L)).toBe('after rotation');
    expect(reader.describe().map((k) => [k.id, k.usable])).toEqual([[1, true], [2, true]]);
  });

  it('returns plaintext rows as they are, or refuses them when told to', async () => {
    const store = new MemoryDataKeyStore();
    const mk = master();
    const accept = await Keyring.open({ store, masterKeys: [mk] });
    expect(accept.openText('legacy subject', L)).toBe('legacy subject');
    expect(accept.openBytes(Buffer.from('From: x'), 'x.raw').toString()).toBe('From: x');
    const strict = await Keyring.open({ store, masterKeys: [mk], plaintext: 'reject' });
    expect(() => strict.openText('legacy subject', L)).toThrow(DecryptError);
  });
});

describe('PlaintextCipher (development without a key)', () => {
  it('stores values as they are and refuses encrypted ones loudly', async () => {
    const p = new PlaintextCipher();
    expect(p.encrypts).toBe(false);
    expect(p.sealText('x', L)).toBe('x');
    const ring = await Keyring.open({ store: new MemoryDataKeyStore(), masterKeys: [master()] });
    expect(() => p.openText(ring.sealText('secret', L), L)).toThrow(KeyUnavailableError);
    expect(() => p.openBytes(ring.sealBytes(Buffer.from('secret'), 'x.raw'), 'x.raw')).toThrow(KeyUnavailableError);
  });
});

describe('Keyring auto-refresh', () => {
  it('loads keys other processes created, in the background, and reports a failing refresh', async () => {
    vi.useFakeTimers();
    try {
      const store = new MemoryDataKeyStore();
      const mk = master();
      const errors: unknown[] = [];
      const reader = await Keyring.open({ store, masterKeys: [mk], onError: (e) => errors.push(e) });
      const writer = await Keyring.open({ store, masterKeys: [mk], activationDelayMs: 0 });
      await writer.createDataKey();
      const stop = reader.startAutoRefresh(1000);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reader.describe().map((k) => k.id)).toEqual([1, 2]);
      store.list = async () => {
        throw new Error('database down');
      };
      await vi.advanceTimersByTimeAsync(1000);
      expect(errors).toHaveLength(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
