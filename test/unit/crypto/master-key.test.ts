import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyConfigError } from '../../../src/crypto/errors.ts';
import { chooseMasterKey, masterKeyId, parseMasterKey } from '../../../src/crypto/master-key.ts';

const b64 = randomBytes(32).toString('base64');

describe('parseMasterKey', () => {
  it('accepts 32 bytes of base64 with surrounding whitespace and derives a stable id', () => {
    const mk = parseMasterKey(`  ${b64}\n`, 'DATA_KEY');
    expect(mk.key.length).toBe(32);
    expect(mk.id).toMatch(/^mk-[0-9a-f]{16}$/);
    expect(parseMasterKey(b64, 'DATA_KEY').id).toBe(mk.id);
    expect(masterKeyId(randomBytes(32))).not.toBe(mk.id);
  });

  it.each([
    ['not base64', 'not base64 at all!'],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
  ])('refuses %s without echoing the value', (_name, value) => {
    const err = (() => {
      try {
        parseMasterKey(value, 'DATA_KEY');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(KeyConfigError);
    expect(err!.message).toContain('DATA_KEY');
    expect(err!.message).not.toContain(value);
  });
});

describe('chooseMasterKey', () => {
  it('takes DATA_KEY, or DATA_KEY_FILE through the reader, but not both', () => {
    expect(chooseMasterKey({ key: b64, nodeEnv: 'production' })).toMatchObject({ kind: 'key' });
    const fromFile = chooseMasterKey({ file: '/run/secrets/data_key', nodeEnv: 'production' }, (p) => {
      expect(p).toBe('/run/secrets/data_key');
      return `${b64}\n`;
    });
    expect(fromFile.kind === 'key' && fromFile.master.id).toBe(parseMasterKey(b64, 'x').id);
    expect(() => chooseMasterKey({ key: b64, file: '/x', nodeEnv: 'development' })).toThrow(KeyConfigError);
  });

  it('reports an unreadable key file by its error code', () => {
    const read = () => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    };
    expect(() => chooseMasterKey({ file: '/missing', nodeEnv: 'development' }, read)).toThrow(/ENOENT/);
  });

  it('refuses to run without a key in production and warns in development', () => {
    expect(() => chooseMasterKey({ nodeEnv: 'production' })).toThrow(/required when NODE_ENV=production/);
    const dev = chooseMasterKey({ nodeEnv: 'development' });
    expect(dev.kind).toBe('none');
    expect(dev.kind === 'none' && dev.warning).toMatch(/UNENCRYPTED/);
  });

  it('reads the rotation key under its own names', () => {
    const names = { key: 'DATA_KEY_NEW', file: '--new-key-file' };
    expect(() => chooseMasterKey({ key: 'short', nodeEnv: 'production' }, undefined, names)).toThrow(/DATA_KEY_NEW/);
  });
});
