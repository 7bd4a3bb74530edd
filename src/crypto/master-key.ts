import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeyConfigError } from './errors.ts';

/** A master key: 32 bytes that only ever wrap data keys, never message content. */
export interface MasterKey {
  /** `mk-` and 16 hex digits derived from the key (an HMAC, so it reveals nothing about it). */
  id: string;
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The stable id of a master key, recorded beside each data key it wraps. */
export function masterKeyId(key: Buffer): string {
  return `mk-${createHmac('sha256', key).update('casedesk master key id v1').digest('hex').slice(0, 16)}`;
}

/**
 * Parse a master key from its base64 text (`openssl rand -base64 32`): surrounding whitespace is
 * ignored, anything else that is not exactly 32 bytes of canonical base64 is refused. `source`
 * names the setting in the error (never the value).
 */
export function parseMasterKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) throw new KeyConfigError(`${source}: expected base64 (openssl rand -base64 32)`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32 || key.toString('base64') !== trimmed) {
    throw new KeyConfigError(`${source}: expected 32 bytes of base64, got ${key.length} bytes`);
  }
  return { id: masterKeyId(key), key };
}

export interface MasterKeySettings {
  /** `DATA_KEY`: the key itself, base64. */
  key?: string;
  /** `DATA_KEY_FILE`: a file holding the base64 key (a secret mounted by the platform). */
  file?: string;
  nodeEnv: 'development' | 'production' | 'test';
}

/** The outcome of reading the settings: a key, or none (with the warning development must show). */
export type MasterKeyChoice = { kind: 'key'; master: MasterKey } | { kind: 'none'; warning: string };

/**
 * Choose the master key from `DATA_KEY` or `DATA_KEY_FILE` (one of them, not both). Without
 * either, development and tests run unencrypted with a loud warning; production refuses to
 * start. `names` lets the rotation command read the new key from `DATA_KEY_NEW` /
 * `--new-key-file` with the same rules.
 */
export function chooseMasterKey(
  settings: MasterKeySettings,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  names: { key: string; file: string } = { key: 'DATA_KEY', file: 'DATA_KEY_FILE' },
): MasterKeyChoice {
  if (settings.key && settings.file) throw new KeyConfigError(`set ${names.key} or ${names.file}, not both`);
  if (settings.key) return { kind: 'key', master: parseMasterKey(settings.key, names.key) };
  if (settings.file) {
    let text: string;
    try {
      text = readFile(settings.file);
    } catch (err) {
      throw new KeyConfigError(`${names.file}: cannot read ${settings.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return { kind: 'key', master: parseMasterKey(text, names.file) };
  }
  if (settings.nodeEnv === 'production') {
    throw new KeyConfigError(`${names.key} or ${names.file} is required when NODE_ENV=production: message content is stored encrypted`);
  }
  return {
    kind: 'none',
    warning: `no ${names.key} or ${names.file}: message content is stored UNENCRYPTED (development only; production refuses to start)`,
  };
}
