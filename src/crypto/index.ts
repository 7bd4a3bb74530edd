/** Encryption of message content at rest: the public surface of src/crypto. */
export { OpenedValueCache } from './opened-cache.ts';
export { CIPHER_EXTENSION, cipherOf, installCipher, PlaintextCipher, type PlaintextPolicy, type ValueCipher } from './cipher.ts';
export { dialectOf, encryptedColumns, type Dialect, type EncryptedColumn } from './columns.ts';
export { DataKey, DataKeySchema } from './data-key.entity.ts';
export { OrmDataKeyStore, type DataKeyRecord, type DataKeyStore } from './data-key-store.ts';
export { EncryptedBlobType, EncryptedJsonType, EncryptedTextType } from './encrypted-type.ts';
export { countPlaintext, encryptExisting, type EncryptExistingOptions, type EncryptExistingResult } from './encrypt-existing.ts';
export { DecryptError, EncryptedQueryError, KeyConfigError, KeyUnavailableError } from './errors.ts';
export { keyStatus, type KeyStatus } from './key-status.ts';
export { DEFAULT_ACTIVATION_DELAY_MS, Keyring, type DataKeyInfo, type KeyringOptions } from './keyring.ts';
export { chooseMasterKey, masterKeyId, parseMasterKey, type MasterKey, type MasterKeyChoice, type MasterKeySettings } from './master-key.ts';
export { rotateMasterKey, type RotateDeps, type RotateResult } from './rotate.ts';
export { setupCipher, type CipherSetup } from './setup.ts';
