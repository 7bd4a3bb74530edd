import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedTextType } from '../crypto/encrypted-type.ts';

export type CaseState = 'open' | 'answered' | 'closed';

/** A consultation: one coder's question and everything that follows in its thread. `id` is the case number (CD-<id>). */
export class Case {
  [OptionalProps]?: 'state' | 'openedAt' | 'lastInboundAt' | 'updatedAt';
  id!: number;
  subject!: string;
  requesterEmail!: string;
  requesterName?: string | null;
  state: CaseState = 'open';
  /** The subscriber the question counted against, when there was one. */
  subscriberId?: number | null;
  assignee?: string | null;
  openedAt: Date = new Date();
  lastInboundAt: Date = new Date();
  dueAt?: Date | null;
  updatedAt: Date = new Date();
  /** When retention (RETAIN_CASE_DAYS) emptied the case's content; ids, states, codes and times stay. */
  contentPurgedAt?: Date | null;
}

export const CaseSchema = new EntitySchema<Case>({
  class: Case,
  tableName: 'cases',
  indexes: [{ properties: ['requesterEmail'] }, { properties: ['state'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    subject: { type: new EncryptedTextType('cases.subject') },
    requesterEmail: { type: 'string', length: 320 },
    requesterName: { type: 'string', length: 320, nullable: true },
    state: { type: 'string', length: 16 },
    subscriberId: { type: 'integer', nullable: true },
    assignee: { type: 'string', length: 320, nullable: true },
    openedAt: { type: 'datetime' },
    lastInboundAt: { type: 'datetime' },
    dueAt: { type: 'datetime', nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
    contentPurgedAt: { type: 'datetime', nullable: true },
  },
});

export type Direction = 'in' | 'out';

/** One message of a case thread, inbound (a question, a follow-up) or outbound (our reply). */
export class CaseMessage {
  [OptionalProps]?: 'references' | 'toAddresses' | 'wantsDraft' | 'sentAt' | 'createdAt';
  id!: number;
  caseId!: number;
  direction!: Direction;
  inboundMessageId?: number | null;
  outboxId?: number | null;
  /** The Message-ID with angle brackets, as in the header. */
  messageId!: string;
  /** sha256 of the lower-cased Message-ID: threading looks replies up by it. */
  messageIdHash!: string;
  inReplyTo?: string | null;
  references: string[] = [];
  fromAddress!: string;
  fromName?: string | null;
  toAddresses: string[] = [];
  subject!: string;
  /** The new part of the message: quoted history and signature removed. */
  textNew!: string;
  textFull!: string;
  html?: string | null;
  /** Whether this inbound message gets a draft (a subscriber's question); the start-up sweep relies on it. */
  wantsDraft = false;
  sentAt: Date = new Date();
  createdAt: Date = new Date();
}

export const CaseMessageSchema = new EntitySchema<CaseMessage>({
  class: CaseMessage,
  tableName: 'case_message',
  indexes: [{ properties: ['caseId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caseId: { type: 'integer' },
    direction: { type: 'string', length: 3 },
    inboundMessageId: { type: 'integer', nullable: true, unique: true },
    outboxId: { type: 'integer', nullable: true, unique: true },
    messageId: { type: 'text' },
    messageIdHash: { type: 'string', length: 64, unique: true },
    inReplyTo: { type: 'text', nullable: true },
    references: { type: 'json' },
    fromAddress: { type: 'string', length: 320 },
    fromName: { type: 'string', length: 320, nullable: true },
    toAddresses: { type: 'json' },
    subject: { type: new EncryptedTextType('case_message.subject') },
    textNew: { type: new EncryptedTextType('case_message.text_new') },
    textFull: { type: new EncryptedTextType('case_message.text_full') },
    html: { type: new EncryptedTextType('case_message.html'), nullable: true, lazy: true },
    wantsDraft: { type: 'boolean' },
    sentAt: { type: 'datetime' },
    createdAt: { type: 'datetime' },
  },
});
