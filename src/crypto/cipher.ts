import type { MikroORM, Platform } from '@mikro-orm/core';
import { isSealedBytes, isSealedText } from './envelope.ts';
import { DecryptError, KeyConfigError, KeyUnavailableError } from './errors.ts';

/**
 * What the ORM column types need: seal and open one value of one column. `label` names the
 * column (`case_message.text_full`) and is bound into the ciphertext. Implemented by the
 * Keyring, and by PlaintextCipher for development without a key.
 *
 * `remember` (default true): keep the plaintext for the unit of work's change check (see
 * OpenedValueCache). False for a value no unit of work will compare: a raw row's, a batch
 * conversion's.
 */
export interface ValueCipher {
  /** Whether new values are encrypted (false only in development without DATA_KEY). */
  readonly encrypts: boolean;
  sealText(plain: string, label: string, remember?: boolean): string;
  /** A value without the encrypted header is a row from before encryption: returned as is, unless refused. */
  openText(stored: string, label: string, remember?: boolean): string;
  sealBytes(plain: Buffer, label: string, remember?: boolean): Buffer;
  openBytes(stored: Buffer, label: string, remember?: boolean): Buffer;
  /** Whether two stored values hold the same content (the unit of work's change check). */
  sameText(a: string, b: string, label: string): boolean;
  sameBytes(a: Buffer, b: Buffer, label: string): boolean;
}

/** How a cipher treats a stored value without the encrypted header. */
export type PlaintextPolicy = 'accept' | 'reject';

/** Throw unless plaintext rows are still accepted (before `db encrypt-existing` has run). */
export function checkPlaintext(policy: PlaintextPolicy, label: string): void {
  if (policy === 'reject') throw new DecryptError(`${label}: plaintext value in an encrypted column`);
}

/**
 * Development without a key: values are written as they are, and a value someone encrypted
 * cannot be read (a loud error, never garbage).
 */
export class PlaintextCipher implements ValueCipher {
  readonly encrypts = false;

  sealText(plain: string, _label?: string): string {
    return plain;
  }

  openText(stored: string, label: string): string {
    if (isSealedText(stored)) throw new KeyUnavailableError(`${label}: the value is encrypted but no DATA_KEY is configured`);
    return stored;
  }

  sealBytes(plain: Buffer, _label?: string): Buffer {
    return plain;
  }

  openBytes(stored: Buffer, label: string): Buffer {
    if (isSealedBytes(stored)) throw new KeyUnavailableError(`${label}: the value is encrypted but no DATA_KEY is configured`);
    return stored;
  }

  sameText(a: string, b: string): boolean {
    return a === b;
  }

  sameBytes(a: Buffer, b: Buffer): boolean {
    return a.equals(b);
  }
}

/** The name under which an ORM instance carries its cipher (a MikroORM config extension). */
export const CIPHER_EXTENSION = 'casedesk:value-cipher';

/**
 * Give an ORM instance its cipher. The encrypted column types find it through the platform of
 * the ORM that converts the value, so two ORMs in one process (tests: SQLite and PostgreSQL)
 * keep separate keyrings and nothing lives in module state. Call once, before the first query
 * that touches an encrypted column.
 */
export function installCipher(orm: MikroORM, cipher: ValueCipher): void {
  if (orm.config.getExtension(CIPHER_EXTENSION)) throw new KeyConfigError('this ORM already has a cipher');
  orm.config.registerExtension(CIPHER_EXTENSION, () => cipher);
}

/** The cipher installed on the ORM a platform belongs to. */
export function cipherOf(platform: Platform): ValueCipher {
  const cipher = platform.getConfig().getExtension<ValueCipher>(CIPHER_EXTENSION);
  if (!cipher) throw new KeyConfigError('no cipher installed on this ORM: call installCipher(orm, keyring) after opening the database');
  return cipher;
}
