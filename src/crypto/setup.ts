import type { MikroORM } from '@mikro-orm/core';
import { installCipher, PlaintextCipher, type ValueCipher } from './cipher.ts';
import { OrmDataKeyStore } from './data-key-store.ts';
import { Keyring, type KeyringOptions } from './keyring.ts';
import type { MasterKeyChoice } from './master-key.ts';

export interface CipherSetup {
  cipher: ValueCipher;
  /** Set when running without a key: the caller logs it at warn level at every start. */
  warning: string | null;
}

/**
 * The one call a process makes after opening (and migrating) the database: build the keyring
 * from the chosen master key (or the plaintext cipher in development without one) and install
 * it on the ORM, so the encrypted column types work.
 */
export async function setupCipher(
  orm: MikroORM,
  choice: MasterKeyChoice,
  options: Omit<KeyringOptions, 'store' | 'masterKeys'> = {},
): Promise<CipherSetup> {
  if (choice.kind === 'none') {
    const cipher = new PlaintextCipher();
    installCipher(orm, cipher);
    return { cipher, warning: choice.warning };
  }
  const keyring = await Keyring.open({ ...options, store: new OrmDataKeyStore(orm.em), masterKeys: [choice.master] });
  installCipher(orm, keyring);
  return { cipher: keyring, warning: null };
}
