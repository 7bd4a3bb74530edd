import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptError } from './errors.ts';

/**
 * The stored form of one encrypted value: AES-256-GCM under a data key, self-describing so a
 * reader needs nothing but the keyring.
 *
 * Binary form (blob/bytea columns, e.g. raw sources), 36 bytes of overhead:
 *
 *   0      0xFF 'C' 'D'   magic: 0xFF never starts valid UTF-8 text nor an RFC 5322 message
 *   3      0x01           format version
 *   4..7   data key id    uint32 big-endian
 *   8..19  IV             12 random bytes
 *   20..   ciphertext     same length as the plaintext
 *   last 16 bytes         GCM tag
 *
 * Text form (text columns: no column type changes, readable in SQL):
 *
 *   enc:1:<data key id>:<base64 of IV ‖ ciphertext ‖ tag>
 *
 * The data key id is visible in both forms so `keys status` can count values per key in SQL.
 * Authenticated data binds each value to its column label and key id
 * (`casedesk:v1:<label>:<keyId>`): a ciphertext copied into another column, or a header edited
 * to name another key, fails to open. Rows are not bound (their ids are not known before an
 * autoincrement insert); see docs/data-protection.md.
 */

export const FORMAT_VERSION = 1;
export const BINARY_MAGIC = Buffer.from([0xff, 0x43, 0x44, FORMAT_VERSION]);
export const TEXT_PREFIX = `enc:${FORMAT_VERSION}:`;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = BINARY_MAGIC.length + 4 + IV_BYTES;
/** Bytes the binary form adds to a value. */
export const BINARY_OVERHEAD = HEADER_BYTES + TAG_BYTES;
const MAX_KEY_ID = 0xffffffff;

/** What a data key looks like to the envelope: its id and its 32 raw bytes. */
export interface DataKeyMaterial {
  id: number;
  key: Buffer;
}

function assertKeyId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_KEY_ID) throw new RangeError(`data key id out of range: ${id}`);
}

/** The authenticated data of a value: its column label and the key id its header names. */
export function valueAad(label: string, keyId: number): Buffer {
  return Buffer.from(`casedesk:v${FORMAT_VERSION}:${label}:${keyId}`, 'utf8');
}

/**
 * Random IVs drawn from a block of the system's random bytes, fetched 4 KiB at a time: each
 * `randomBytes` call costs a trip into OpenSSL (about 6 µs here), and a message seals a dozen
 * values. Every IV is still 96 fresh random bits, never handed out twice.
 */
export class IvPool {
  private block = Buffer.alloc(0);
  private at = 0;

  next(): Buffer {
    if (this.at + IV_BYTES > this.block.length) {
      this.block = randomBytes(IV_BYTES * Math.floor(4096 / IV_BYTES));
      this.at = 0;
    }
    const iv = this.block.subarray(this.at, this.at + IV_BYTES);
    this.at += IV_BYTES;
    return iv;
  }
}

/** AES-256-GCM: IV ‖ ciphertext ‖ tag of `plain` under `key` with `aad` (a fresh random IV unless given one from an IvPool). */
export function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer, iv: Buffer = randomBytes(IV_BYTES)): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The inverse of gcmSeal; throws DecryptError when the tag does not verify. */
export function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer, what: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptError(`${what}: value too short`);
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new DecryptError(`${what}: authentication failed (wrong key, edited or moved value)`, { cause: err });
  }
}

/** Whether bytes carry the binary header (else they are a plaintext value from before encryption). */
export function isSealedBytes(value: Uint8Array): boolean {
  return value.length >= 4 && value[0] === BINARY_MAGIC[0] && value[1] === BINARY_MAGIC[1] && value[2] === BINARY_MAGIC[2] && value[3] === BINARY_MAGIC[3];
}

/** Whether a string carries the text header (else it is a plaintext value from before encryption). */
export function isSealedText(value: string): boolean {
  return value.startsWith(TEXT_PREFIX);
}

/** The data key id a binary value names (null for plaintext). */
export function keyIdOfBytes(value: Uint8Array): number | null {
  if (!isSealedBytes(value) || value.length < 8) return null;
  return Buffer.from(value.buffer, value.byteOffset, value.length).readUInt32BE(4);
}

/** The data key id a text value names (null for plaintext or a malformed header). */
export function keyIdOfText(value: string): number | null {
  if (!isSealedText(value)) return null;
  const end = value.indexOf(':', TEXT_PREFIX.length);
  const id = Number(value.slice(TEXT_PREFIX.length, end));
  return end > TEXT_PREFIX.length && Number.isInteger(id) && id > 0 ? id : null;
}

/** Encrypt bytes into the binary form. */
export function sealBytes(dk: DataKeyMaterial, plain: Buffer, label: string, iv?: Buffer): Buffer {
  assertKeyId(dk.id);
  const header = Buffer.alloc(8);
  BINARY_MAGIC.copy(header, 0);
  header.writeUInt32BE(dk.id, 4);
  return Buffer.concat([header, gcmSeal(dk.key, plain, valueAad(label, dk.id), iv)]);
}

/** Decrypt the binary form with the key the header names (`keyFor` throws when it is unavailable). */
export function openBytes(sealed: Buffer, label: string, keyFor: (id: number) => Buffer): Buffer {
  const id = keyIdOfBytes(sealed);
  if (id === null) throw new DecryptError(`${label}: not an encrypted value`);
  return gcmOpen(keyFor(id), sealed.subarray(8), valueAad(label, id), label);
}

/** Encrypt a string into the text form. */
export function sealText(dk: DataKeyMaterial, plain: string, label: string, iv?: Buffer): string {
  assertKeyId(dk.id);
  const body = gcmSeal(dk.key, Buffer.from(plain, 'utf8'), valueAad(label, dk.id), iv);
  return `${TEXT_PREFIX}${dk.id}:${body.toString('base64')}`;
}

/** Decrypt the text form with the key the header names. */
export function openText(sealed: string, label: string, keyFor: (id: number) => Buffer): string {
  const id = keyIdOfText(sealed);
  if (id === null) throw new DecryptError(`${label}: malformed encrypted header`);
  // No separate base64 check: a stray character shifts the bytes, and the GCM tag refuses them.
  const body = sealed.slice(sealed.indexOf(':', TEXT_PREFIX.length) + 1);
  return gcmOpen(keyFor(id), Buffer.from(body, 'base64'), valueAad(label, id), label).toString('utf8');
}
