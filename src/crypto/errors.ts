import { AppError } from '../shared/errors.ts';

/**
 * Errors of the data-protection layer. They live here for now so this folder stands alone; the
 * integration may move them to src/shared/errors.ts. None of them ever carries plaintext: only
 * key ids, column labels and counts.
 */

/** The master key or the key setup is unusable (missing in production, wrong length, not base64). */
export class KeyConfigError extends AppError {
  constructor(message: string) {
    super('key_config', message);
  }
}

/**
 * A stored value names a data key this process cannot use: unknown to the keyring (created by
 * another process since the last refresh) or wrapped by a master key that is not configured.
 */
export class KeyUnavailableError extends AppError {
  readonly keyId: number | null;

  constructor(message: string, keyId: number | null = null) {
    super('key_unavailable', message);
    this.keyId = keyId;
  }
}

/**
 * A value carries the encrypted header but does not open: a wrong key, an edited byte, a value
 * moved from another column, or a truncated value. Never returned as-is.
 */
export class DecryptError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('decrypt_failed', message, options);
  }
}

/** An encrypted column used in a WHERE condition: random IVs make such a query match nothing. */
export class EncryptedQueryError extends AppError {
  constructor(label: string) {
    super('encrypted_query', `column ${label} is encrypted and cannot be queried by value`);
  }
}
