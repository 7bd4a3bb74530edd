import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedBlobType } from '../crypto/encrypted-type.ts';

/** Where ingest stands in one mailbox: the next fetch is `lastUid+1:*` under this UIDVALIDITY. */
export class MailboxCursor {
  [OptionalProps]?: 'updatedAt';
  id!: number;
  mailbox!: string;
  uidValidity!: number;
  lastUid!: number;
  updatedAt: Date = new Date();
}

export const MailboxCursorSchema = new EntitySchema<MailboxCursor>({
  class: MailboxCursor,
  tableName: 'mailbox_cursor',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    mailbox: { type: 'string', length: 255, unique: true },
    uidValidity: { type: new BigIntType('number') },
    lastUid: { type: new BigIntType('number') },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});

/**
 * What became of one message that reached the mailbox. Nothing is lost: every row ends as
 * `parsed` (a case message), `ignored` (an automatic message, with kind and reasons),
 * `duplicate` (a Message-ID already threaded), or `quarantined` (kept raw, with a reason).
 */
export type InboundState = 'stored' | 'parsed' | 'ignored' | 'duplicate' | 'quarantined';

/** One message as fetched from IMAP, raw source kept as the system of record. */
export class InboundMessage {
  [OptionalProps]?: 'state' | 'reasons' | 'attempts' | 'receivedAt' | 'updatedAt';
  id!: number;
  mailbox!: string;
  uidValidity!: number;
  uid!: number;
  /** sha256 of the raw source: a UIDVALIDITY resync that fetches the same bytes again is skipped. */
  contentHash!: string;
  messageId?: string | null;
  size!: number;
  /** NULL once retention (RETAIN_RAW_DAYS) purged it. */
  raw?: Buffer | null;
  rawPurgedAt?: Date | null;
  state: InboundState = 'stored';
  kind?: string | null;
  reasons: string[] = [];
  caseId?: number | null;
  caseMessageId?: number | null;
  error?: string | null;
  /** Sender authentication, decided once (the first run that reads the message) and reused by any re-run. */
  senderVerdict?: 'verified' | 'unverified' | 'unknown' | null;
  senderReasons?: string[] | null;
  attempts = 0;
  receivedAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const InboundMessageSchema = new EntitySchema<InboundMessage>({
  class: InboundMessage,
  tableName: 'inbound_message',
  uniques: [{ properties: ['mailbox', 'uidValidity', 'uid'] }],
  // (mailbox, state, id): the filing turn's look at the nearest earlier stored rows (workers/filing-turn.ts) reads 32 index entries, not every stored row of a burst.
  indexes: [{ properties: ['state'] }, { properties: ['mailbox', 'contentHash'] }, { properties: ['mailbox', 'state', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    mailbox: { type: 'string', length: 255 },
    uidValidity: { type: new BigIntType('number') },
    uid: { type: new BigIntType('number') },
    contentHash: { type: 'string', length: 64 },
    messageId: { type: 'text', nullable: true },
    size: { type: 'integer' },
    raw: { type: new EncryptedBlobType('inbound_message.raw'), lazy: true, nullable: true },
    rawPurgedAt: { type: 'datetime', nullable: true },
    state: { type: 'string', length: 16 },
    kind: { type: 'string', length: 32, nullable: true },
    reasons: { type: 'json' },
    caseId: { type: 'integer', nullable: true },
    caseMessageId: { type: 'integer', nullable: true },
    error: { type: 'text', nullable: true },
    senderVerdict: { type: 'string', length: 16, nullable: true },
    senderReasons: { type: 'json', nullable: true },
    attempts: { type: 'integer' },
    receivedAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
