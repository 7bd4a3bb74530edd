import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { masterKeyId } from '../../../src/crypto/master-key.ts';
import { OpenedValueCache } from '../../../src/crypto/opened-cache.ts';
import { MemoryDataKeyStore } from './memory-store.ts';

describe('OpenedValueCache', () => {
  it('keeps plaintexts up to its byte budget, dropping the oldest first', () => {
    const cache = new OpenedValueCache(400);
    for (let i = 0; i < 10; i += 1) cache.set(`k${i}`, 'x'.repeat(50));
    expect(cache.stats()).toEqual({ entries: 4, bytes: 400 });
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k9')).toBe('x'.repeat(50));
    cache.set('huge', 'y'.repeat(150));
    expect(cache.get('huge')).toBeUndefined();
  });
});

describe('Keyring change check', () => {
  it('compares two encryptions of the same text as equal without decrypting, and different texts as different', async () => {
    const key = randomBytes(32);
    const ring = await Keyring.open({ store: new MemoryDataKeyStore(), masterKeys: [{ id: masterKeyId(key), key }] });
    const a = ring.sealText('same body', 'draft.body_text');
    const b = ring.sealText('same body', 'draft.body_text');
    expect(a).not.toBe(b);
    const entries = ring.cacheStats().entries;
    expect(ring.sameText(a, b, 'draft.body_text')).toBe(true);
    expect(ring.sameText(a, ring.sealText('other body', 'draft.body_text'), 'draft.body_text')).toBe(false);
    expect(ring.sameText('legacy', ring.sealText('legacy', 'draft.body_text'), 'draft.body_text')).toBe(true);
    expect(ring.sameBytes(ring.sealBytes(Buffer.from('raw'), 'x.raw'), ring.sealBytes(Buffer.from('raw'), 'x.raw'), 'x.raw')).toBe(true);
    expect(entries).toBe(2);
    // A value sealed or opened for a raw row is not kept; comparing it then decrypts it.
    const held = ring.cacheStats().entries;
    const unkept = ring.sealText('same body', 'draft.body_text', false);
    expect(ring.openText(unkept, 'draft.body_text', false)).toBe('same body');
    expect(ring.openBytes(ring.sealBytes(Buffer.from('raw 2'), 'x.raw', false), 'x.raw', false)).toEqual(Buffer.from('raw 2'));
    expect(ring.cacheStats().entries).toBe(held);
    expect(ring.sameText(a, unkept, 'draft.body_text')).toBe(true);
    // A keyring with no cache decrypts to compare and gets the same answers.
    const cold = await Keyring.open({ store: new MemoryDataKeyStore(), masterKeys: [{ id: masterKeyId(key), key }], cacheBytes: 0 });
    const c = cold.sealText('same body', 'draft.body_text');
    expect(cold.sameText(c, cold.sealText('same body', 'draft.body_text'), 'draft.body_text')).toBe(true);
    expect(cold.cacheStats().entries).toBe(0);
  });
});
