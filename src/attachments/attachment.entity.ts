import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedBlobType, EncryptedTextType } from '../crypto/encrypted-type.ts';
import type { AttachmentKind } from './types.ts';

/**
 * Where an attachment stands. Stored content starts `pending-scan`; the scan makes it `clean`,
 * `infected` (quarantined, with the signature) or `not-scanned` (clamd down or refusing: retried
 * later, never served meanwhile). Parts without stored content are `over-limit` or `unreadable`,
 * listed with the reason, never scanned or served.
 */
export type AttachmentState = 'pending-scan' | 'clean' | 'infected' | 'not-scanned' | 'over-limit' | 'unreadable';
export const ATTACHMENT_STATES: readonly AttachmentState[] = ['pending-scan', 'clean', 'infected', 'not-scanned', 'over-limit', 'unreadable'];

/** Whether the attachment's text was read: `pending` until the scan says clean, then `text`, `none` (with why) or `failed`. */
export type AttachmentTextStatus = 'pending' | 'text' | 'none' | 'failed';

/** One attachment of an inbound case message: what it is, what the scan found, and its text. The bytes live in AttachmentContent. */
export class Attachment {
  [OptionalProps]?: 'scanAttempts' | 'textStatus' | 'createdAt' | 'updatedAt';
  id!: number;
  caseId!: number;
  caseMessageId!: number;
  /** Position among the message's attachments, in MIME order, from 0. */
  partIndex!: number;
  /** Safe file name (describeAttachments). */
  name!: string;
  declaredType!: string;
  sniffedType!: string;
  kind!: AttachmentKind;
  size!: number;
  sha256?: string | null;
  /** Inline part of the body (a signature logo, a pasted screenshot) rather than an attached file. */
  inline!: boolean;
  state!: AttachmentState;
  /** Why the state is what it is, in words (over the limit, why not scanned); null when clean. */
  reason?: string | null;
  /** The signature clamd named, when infected. */
  signature?: string | null;
  scanAttempts = 0;
  scannedAt?: Date | null;
  textStatus: AttachmentTextStatus = 'pending';
  /** Why there is no text (`image, no text`), or why reading failed. */
  textNote?: string | null;
  /** The text read from a clean attachment (cut to ATTACHMENT_TEXT_MAX_CHARS). */
  text?: string | null;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const AttachmentSchema = new EntitySchema<Attachment>({
  class: Attachment,
  tableName: 'attachment',
  uniques: [{ properties: ['caseMessageId', 'partIndex'] }],
  indexes: [{ properties: ['caseId'] }, { properties: ['state'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caseId: { type: 'integer' },
    caseMessageId: { type: 'integer' },
    partIndex: { type: 'integer' },
    name: { type: 'string', length: 255 },
    declaredType: { type: 'string', length: 255 },
    sniffedType: { type: 'string', length: 255 },
    kind: { type: 'string', length: 16 },
    size: { type: 'integer' },
    sha256: { type: 'string', length: 64, nullable: true },
    inline: { type: 'boolean' },
    state: { type: 'string', length: 16 },
    reason: { type: 'text', nullable: true },
    signature: { type: 'string', length: 255, nullable: true },
    scanAttempts: { type: 'integer' },
    scannedAt: { type: 'datetime', nullable: true },
    textStatus: { type: 'string', length: 16 },
    textNote: { type: 'text', nullable: true },
    text: { type: new EncryptedTextType('attachment.text'), nullable: true, lazy: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});

/**
 * The bytes of one stored attachment, beside the raw message and apart from the listing, so a
 * list never loads content and the column can later be wrapped by the encryption of issue 15
 * (EncryptedBlobType) like the raw message.
 */
export class AttachmentContent {
  attachmentId!: number;
  content!: Buffer;
}

export const AttachmentContentSchema = new EntitySchema<AttachmentContent>({
  class: AttachmentContent,
  tableName: 'attachment_content',
  properties: {
    attachmentId: { type: 'integer', primary: true, autoincrement: false },
    content: { type: new EncryptedBlobType('attachment_content.content'), lazy: true },
  },
});

export const attachmentEntities = [AttachmentSchema, AttachmentContentSchema];
