import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unwrapDataKey } from '../../../src/crypto/data-key-wrap.ts';
import { KeyConfigError, KeyUnavailableError } from '../../../src/crypto/errors.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { masterKeyId, type MasterKey } from '../../../src/crypto/master-key.ts';
import { rotateMasterKey } from '../../../src/crypto/rotate.ts';
import { MemoryDataKeyStore } from './memory-store.ts';

const master = (): MasterKey => {
  const key = randomBytes(32);
  return { id: masterKeyId(key), key };
};
const L = 'draft.body_text';

/** A store with `n` data keys under `mk`, and a value sealed under each. */
async function storeWithKeys(mk: MasterKey, n: number) {
  const store = new MemoryDataKeyStore();
  let t = 0;
  const ring = await Keyring.open({ store, masterKeys: [mk], now: () => new Date(t), activationDelayMs: 0 });
  const values = [ring.sealText('value under key 1', L)];
  for (let i = 2; i <= n; i += 1) {
    await ring.createDataKey();
    t += 1;
    values.push(ring.sealText(`value under key ${i}`, L));
  }
  return { store, values };
}

describe('rotateMasterKey', () => {
  it('re-wraps every data key so the new master key alone opens every value', async () => {
    const old = master();
    const next = master();
    const { store, values } = await storeWithKeys(old, 5);
    const result = await rotateMasterKey({ store, from: [old], to: next, batchSize: 2 });
    expect(result).toMatchObject({ rewrapped: 5, alreadyCurrent: 0, verified: 5, toId: next.id });
    expect([...store.rows.values()].every((r) => r.masterKeyId === next.id)).toBe(true);
    const after = await Keyring.open({ store, masterKeys: [next] });
    expect(values.map((v) => after.openText(v, L))).toEqual([1, 2, 3, 4, 5].map((i) => `value under key ${i}`));
    await expect(Keyring.open({ store, masterKeys: [old] })).rejects.toThrow(KeyUnavailableError);
  });

  it('leaves every key openable by one of the two master keys after a crash, and a second run finishes', async () => {
    const old = master();
    const next = master();
    const { store, values } = await storeWithKeys(old, 6);
    store.failOnRewrap = 4;
    await expect(rotateMasterKey({ store, from: [old], to: next, batchSize: 2 })).rejects.toThrow('simulated crash');
    const half = [...store.rows.values()];
    expect(half.filter((r) => r.masterKeyId === next.id).length).toBe(3);
    for (const r of half) unwrapDataKey(r.masterKeyId === next.id ? next : old, r.id, r.wrapped);
    const during = await Keyring.open({ store, masterKeys: [next, old] });
    expect(during.openText(values[5], L)).toBe('value under key 6');
    store.failOnRewrap = null;
    const second = await rotateMasterKey({ store, from: [old], to: next });
    expect(second).toMatchObject({ rewrapped: 3, alreadyCurrent: 3, verified: 6 });
    const again = await rotateMasterKey({ store, from: [old], to: next });
    expect(again.rewrapped).toBe(0);
    const after = await Keyring.open({ store, masterKeys: [next] });
    expect(after.openText(values[0], L)).toBe('value under key 1');
  });

  it('refuses a new key equal to the old one, and names a data key no given key wraps', async () => {
    const old = master();
    const { store } = await storeWithKeys(old, 1);
    await expect(rotateMasterKey({ store, from: [old], to: old })).rejects.toThrow(KeyConfigError);
    await expect(rotateMasterKey({ store, from: [master()], to: master() })).rejects.toThrow(/data key 1 is wrapped by master key/);
  });
});
