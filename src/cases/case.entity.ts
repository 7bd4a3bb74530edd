import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedJsonType, EncryptedTextType } from '../crypto/encrypted-type.ts';

/**
 * `held`: a question that claims a subscriber's address from a sender that failed authentication
 * (SENDER_AUTH=enforce): no quota used, no draft, no notice, until a consultant releases it.
 */
export type CaseState = 'open' | 'answered' | 'closed' | 'held';

/** What CaseDesk concluded about an inbound message's sender (src/mail/auth). */
export type SenderVerdict = 'verified' | 'unverified' | 'unknown';

/** Where the PHI guard marked an identifier in a message's new text (offsets only: the text is the message's). */
export interface StoredPhiSpan {
  kind: string;
  start: number;
  end: number;
}

/** A consultation: one coder's question and everything that follows in its thread. `id` is the case number (CD-<id>). */
export class Case {
  [OptionalProps]?: 'state' | 'openedAt' | 'lastInboundAt' | 'updatedAt' | 'unverifiedSender';
  id!: number;
  subject!: string;
  requesterEmail!: string;
  requesterName?: string | null;
  state: CaseState = 'open';
  /** The subscriber the question counted against, when there was one. */
  subscriberId?: number | null;
  assignee?: string | null;
  /** Why the case is `held` (`unverified sender`), null otherwise. */
  holdReason?: string | null;
  /** A message of this case came from a sender CaseDesk could not verify (the "unverified sender" badge). */
  unverifiedSender = false;
  openedAt: Date = new Date();
  lastInboundAt: Date = new Date();
  dueAt?: Date | null;
  /** Why the case needs a consultant's attention beyond its question (an infected attachment); null when nothing. */
  flag?: string | null;
  updatedAt: Date = new Date();
  /** When retention (RETAIN_CASE_DAYS) emptied the case's content; ids, states, codes and times stay. */
  contentPurgedAt?: Date | null;
}

export const CaseSchema = new EntitySchema<Case>({
  class: Case,
  tableName: 'cases',
  // The quota count: a subscriber's cases opened this month (counted under the intake lock).
  indexes: [{ properties: ['requesterEmail'] }, { properties: ['state'] }, { properties: ['subscriberId', 'openedAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    subject: { type: new EncryptedTextType('cases.subject') },
    requesterEmail: { type: 'string', length: 320 },
    requesterName: { type: 'string', length: 320, nullable: true },
    state: { type: 'string', length: 16 },
    subscriberId: { type: 'integer', nullable: true },
    assignee: { type: 'string', length: 320, nullable: true },
    holdReason: { type: 'string', length: 64, nullable: true },
    unverifiedSender: { type: 'boolean', default: false },
    openedAt: { type: 'datetime' },
    lastInboundAt: { type: 'datetime' },
    dueAt: { type: 'datetime', nullable: true },
    flag: { type: 'text', nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
    contentPurgedAt: { type: 'datetime', nullable: true },
  },
});

export type Direction = 'in' | 'out';

/** One message of a case thread, inbound (a question, a follow-up) or outbound (our reply). */
export class CaseMessage {
  [OptionalProps]?: 'references' | 'toAddresses' | 'wantsDraft' | 'sentAt' | 'createdAt' | 'phiSpans';
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
  /** Sender authentication of an inbound message (null: outbound, or filed before it existed). */
  senderVerdict?: SenderVerdict | null;
  senderReasons?: string[] | null;
  /** The PHI guard's spans in `textNew`. */
  phiSpans?: StoredPhiSpan[] | null = [];
  sentAt: Date = new Date();
  createdAt: Date = new Date();
}

export const CaseMessageSchema = new EntitySchema<CaseMessage>({
  class: CaseMessage,
  tableName: 'case_message',
  indexes: [
    { properties: ['caseId'] },
    // The start-up sweep's anti-join (workers/sweep.ts): only the questions that want a draft.
    { name: 'case_message_wants_draft_idx', expression: 'create index "case_message_wants_draft_idx" on "case_message" ("id") where "direction" = \'in\' and "wants_draft" = true' },
  ],
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
    senderVerdict: { type: 'string', length: 16, nullable: true },
    senderReasons: { type: 'json', nullable: true },
    phiSpans: { type: new EncryptedJsonType('case_message.phi_spans'), nullable: true },
    sentAt: { type: 'datetime' },
    createdAt: { type: 'datetime' },
  },
});
