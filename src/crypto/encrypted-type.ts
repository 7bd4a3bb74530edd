import { Type, type EntityProperty, type Platform, type TransformContext } from '@mikro-orm/core';
import { isUnmanagedRow } from '../shared/db.ts';
import { cipherOf } from './cipher.ts';
import { isSealedText } from './envelope.ts';
import { EncryptedQueryError } from './errors.ts';

/**
 * MikroORM column types that encrypt on the way to the database and decrypt on the way back,
 * so entity code keeps reading and writing plain strings and Buffers. Use one instance per
 * property, with the column's stable label:
 *
 *   textFull: { type: new EncryptedTextType('case_message.text_full') },
 *   raw: { type: new EncryptedBlobType('inbound_message.raw'), lazy: true },
 *
 * The label is bound into every ciphertext (authenticated data), so it must never change, even
 * if the table or column is renamed: it is a name for the column's content, not its SQL name.
 *
 * Each write gets a fresh random IV, so the same plaintext encrypts differently every time. The
 * unit of work compares snapshots of database values; `compareValues` therefore compares the
 * contents through the cipher (else every loaded entity would look changed at every flush; the
 * keyring answers from its OpenedValueCache without decrypting), and `ensureComparable` is off
 * so loading does not encrypt each value a second time.
 *
 * A value without the encrypted header (a row written before encryption) is read as is, unless
 * the keyring refuses plaintext; `encryptExisting` converts such rows. Querying an encrypted
 * column by value throws EncryptedQueryError: it could never match.
 */
abstract class EncryptedType<T extends string | Buffer> extends Type<T | null | undefined, T | null | undefined> {
  constructor(readonly label: string) {
    super();
    if (!/^[a-z0-9_]+\.[a-z0-9_]+$/.test(label)) throw new RangeError(`encrypted column label must be table.column: ${label}`);
  }

  /** `remember`: false for a raw row's value (see ValueCipher). */
  protected abstract seal(plain: T, platform: Platform, remember: boolean): T;
  protected abstract open(stored: T, platform: Platform, remember: boolean): T;
  protected abstract same(a: T, b: T, platform: Platform): boolean;

  override convertToDatabaseValue(value: T | null | undefined, platform: Platform, context?: TransformContext): T | null | undefined {
    if (value == null) return value;
    if (context?.mode === 'query') throw new EncryptedQueryError(this.label);
    return this.seal(value, platform, !isUnmanagedRow(context));
  }

  override convertToJSValue(value: T | null | undefined, platform: Platform, context?: TransformContext): T | null | undefined {
    if (value == null) return value;
    return this.open(value, platform, !isUnmanagedRow(context));
  }

  override compareValues(a: T | null | undefined, b: T | null | undefined): boolean {
    if (a == null || b == null) return a == b;
    return this.same(a, b, this.platform!);
  }

  override ensureComparable(): boolean {
    return false;
  }
}

/** A text column whose content is stored as `enc:1:<key id>:<base64>` (column type stays `text`). */
export class EncryptedTextType extends EncryptedType<string> {
  protected seal(plain: string, platform: Platform, remember: boolean): string {
    return cipherOf(platform).sealText(plain, this.label, remember);
  }

  protected open(stored: string, platform: Platform, remember: boolean): string {
    return cipherOf(platform).openText(stored, this.label, remember);
  }

  protected same(a: string, b: string, platform: Platform): boolean {
    return a === b || cipherOf(platform).sameText(a, b, this.label);
  }

  override compareAsType(): string {
    return 'string';
  }

  override get runtimeType(): string {
    return 'string';
  }

  override getColumnType(prop: EntityProperty, platform: Platform): string {
    return platform.getTextTypeDeclarationSQL(prop);
  }
}

/** A blob/bytea column (raw sources) stored in the binary form: 36 bytes more per value. */
export class EncryptedBlobType extends EncryptedType<Buffer> {
  protected seal(plain: Buffer, platform: Platform, remember: boolean): Buffer {
    return cipherOf(platform).sealBytes(plain, this.label, remember);
  }

  protected open(stored: Buffer, platform: Platform, remember: boolean): Buffer {
    return cipherOf(platform).openBytes(Buffer.isBuffer(stored) ? stored : Buffer.from(stored), this.label, remember);
  }

  protected same(a: Buffer, b: Buffer, platform: Platform): boolean {
    return cipherOf(platform).sameBytes(Buffer.from(a), Buffer.from(b), this.label);
  }

  override compareAsType(): string {
    return 'Buffer';
  }

  override get runtimeType(): string {
    return 'Buffer';
  }

  override getColumnType(_prop: EntityProperty, platform: Platform): string {
    return platform.getBlobDeclarationSQL();
  }
}

type Json = Record<string, unknown> | unknown[];

/**
 * A JSON column (draft.evidence) whose whole value is encrypted: stored as a JSON string that
 * holds the text form (`"enc:1:…"`), so the column keeps its json/jsonb type and a row from
 * before encryption (a JSON object) still reads as it is.
 */
export class EncryptedJsonType extends Type<Json | null | undefined, string | null | undefined> {
  constructor(readonly label: string) {
    super();
    if (!/^[a-z0-9_]+\.[a-z0-9_]+$/.test(label)) throw new RangeError(`encrypted column label must be table.column: ${label}`);
  }

  override convertToDatabaseValue(value: Json | null | undefined, platform: Platform, context?: TransformContext): string | null | undefined {
    if (value == null) return value;
    if (context?.mode === 'query') throw new EncryptedQueryError(this.label);
    const cipher = cipherOf(platform);
    // Without a DATA_KEY (development) the value is stored as plain JSON, as a json column holds it.
    if (!cipher.encrypts) return JSON.stringify(value);
    return JSON.stringify(cipher.sealText(JSON.stringify(value), this.label, !isUnmanagedRow(context)));
  }

  override convertToJSValue(value: unknown, platform: Platform, context?: TransformContext): Json | null | undefined {
    if (value == null) return value as null | undefined;
    const stored = storedJson(value, platform);
    if (typeof stored === 'string' && isSealedText(stored)) return JSON.parse(cipherOf(platform).openText(stored, this.label, !isUnmanagedRow(context))) as Json;
    // Development rows of an earlier version: a JSON string holding the JSON text of an object or array.
    if (typeof stored === 'string' && /^[[{]/.test(stored)) return JSON.parse(stored) as Json;
    return stored as Json;
  }

  override compareValues(a: unknown, b: unknown): boolean {
    if (a == null || b == null) return a == b;
    if (a === b) return true;
    const platform = this.platform!;
    const [sa, sb] = [storedJson(a, platform), storedJson(b, platform)];
    const sealed = (v: unknown): v is string => typeof v === 'string' && isSealedText(v);
    if (sealed(sa) && sealed(sb)) return cipherOf(platform).sameText(sa, sb, this.label);
    const text = (v: unknown): string => (sealed(v) ? cipherOf(platform).openText(v, this.label) : JSON.stringify(v));
    return text(sa) === text(sb);
  }

  override ensureComparable(): boolean {
    return false;
  }

  override compareAsType(): string {
    return 'any';
  }

  override get runtimeType(): string {
    return 'object';
  }

  override getColumnType(_prop: EntityProperty, platform: Platform): string {
    return platform.getJsonDeclarationSQL();
  }
}

/**
 * A stored JSON value as a JS value: PostgreSQL's driver parses jsonb already (a sealed value
 * arrives as the string `enc:1:…`), SQLite gives the JSON text (`"enc:1:…"` or `{…}`); our own
 * snapshots are JSON text on both.
 */
function storedJson(value: unknown, platform: Platform): unknown {
  if (typeof value !== 'string' || isSealedText(value)) return value;
  if (platform.convertsJsonAutomatically() && !/^["{[]/.test(value)) return value;
  return JSON.parse(value) as unknown;
}
