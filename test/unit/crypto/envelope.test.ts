import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BINARY_OVERHEAD,
  isSealedBytes,
  isSealedText,
  keyIdOfBytes,
  keyIdOfText,
  IvPool,
  openBytes,
  openText,
  sealBytes,
  sealText,
} from '../../../src/crypto/envelope.ts';
import { DecryptError } from '../../../src/crypto/errors.ts';

const dk = { id: 7, key: randomBytes(32) };
const keyFor = (id: number) => {
  if (id !== dk.id) throw new Error(`no key ${id}`);
  return dk.key;
};
const LABEL = 'case_message.text_full';

describe('text form', () => {
  it('round-trips text, including empty and non-ASCII, and names its key id', () => {
    for (const plain of ['', 'Can 97760 be billed with 97530?', 'Ünïcødé 👩‍⚕️ ICD-10 M54.50\r\n'.repeat(100)]) {
      const sealed = sealText(dk, plain, LABEL);
      expect(sealed.startsWith('enc:1:7:')).toBe(true);
      expect(isSealedText(sealed)).toBe(true);
      expect(keyIdOfText(sealed)).toBe(7);
      expect(openText(sealed, LABEL, keyFor)).toBe(plain);
    }
  });

  it('never produces the same ciphertext twice for the same text (random IV)', () => {
    expect(sealText(dk, 'same', LABEL)).not.toBe(sealText(dk, 'same', LABEL));
  });

  it('refuses a value moved to another column, an edited byte, or a header naming another key', () => {
    const sealed = sealText(dk, 'patient Jane Roe', LABEL);
    expect(() => openText(sealed, 'draft.body_text', keyFor)).toThrow(DecryptError);
    const body = Buffer.from(sealed.slice('enc:1:7:'.length), 'base64');
    body[20] ^= 1;
    expect(() => openText(`enc:1:7:${body.toString('base64')}`, LABEL, keyFor)).toThrow(DecryptError);
    const otherKey = { id: 8, key: dk.key };
    const relabelled = `enc:1:8:${sealed.slice('enc:1:7:'.length)}`;
    expect(() => openText(relabelled, LABEL, () => otherKey.key)).toThrow(DecryptError);
    expect(() => openText('enc:1:7:not base64!', LABEL, keyFor)).toThrow(DecryptError);
    expect(() => openText('enc:1::abc', LABEL, keyFor)).toThrow(DecryptError);
  });

  it('tells plaintext from encrypted values', () => {
    expect(isSealedText('Re: question about 99213')).toBe(false);
    expect(keyIdOfText('plain')).toBeNull();
  });
});

describe('binary form', () => {
  it('round-trips bytes with a 36-byte overhead and a readable header', () => {
    const raw = Buffer.concat([Buffer.from('From: a@b.test\r\nSubject: x\r\n\r\n'), randomBytes(5000)]);
    const sealed = sealBytes(dk, raw, 'inbound_message.raw');
    expect(sealed.length).toBe(raw.length + BINARY_OVERHEAD);
    expect(BINARY_OVERHEAD).toBe(36);
    expect(sealed.subarray(0, 4).toString('hex')).toBe('ff434401');
    expect(keyIdOfBytes(sealed)).toBe(7);
    expect(isSealedBytes(sealed)).toBe(true);
    expect(isSealedBytes(raw)).toBe(false);
    expect(openBytes(sealed, 'inbound_message.raw', keyFor).equals(raw)).toBe(true);
  });

  it('refuses a flipped tag byte and a wrong label', () => {
    const sealed = sealBytes(dk, Buffer.from('x'.repeat(100)), 'inbound_message.raw');
    expect(() => openBytes(sealed, 'other.raw', keyFor)).toThrow(DecryptError);
    sealed[sealed.length - 1] ^= 0x80;
    expect(() => openBytes(sealed, 'inbound_message.raw', keyFor)).toThrow(DecryptError);
  });

  it('refuses key ids outside uint32', () => {
    expect(() => sealBytes({ id: 0, key: dk.key }, Buffer.alloc(1), 'a.b')).toThrow(RangeError);
    expect(() => sealText({ id: 2 ** 32, key: dk.key }, 'x', 'a.b')).toThrow(RangeError);
  });
});

describe('IvPool', () => {
  it('hands out 12-byte IVs that never repeat across refills, and sealed values still open', () => {
    const pool = new IvPool();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const iv = pool.next();
      expect(iv).toHaveLength(12);
      seen.add(iv.toString('hex'));
    }
    expect(seen.size).toBe(2000);
    const sealed = sealText(dk, 'DOS 03/04/2026', 'case_message.text_new', pool.next());
    expect(openText(sealed, 'case_message.text_new', () => dk.key)).toBe('DOS 03/04/2026');
    // The IV is the first 12 bytes of the body: two seals of one value differ.
    expect(sealText(dk, 'same', 'l', pool.next())).not.toBe(sealText(dk, 'same', 'l', pool.next()));
  });
});
