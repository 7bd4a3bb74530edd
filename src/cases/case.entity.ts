import { EntitySchema, OptionalProps } from '@mikro-orm/core';

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
}

export const CaseSchema = new EntitySchema<Case>({
  class: Case,
  tableName: 'cases',
  // The quota count: a subscriber's cases opened this month (counted under the intake lock).
  indexes: [{ properties: ['requesterEmail'] }, { properties: ['state'] }, { properties: ['subscriberId', 'openedAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    subject: { type: 'text' },
    requesterEmail: { type: 'string', length: 320 },
    requesterName: { type: 'string', length: 320, nullable: true },
    state: { type: 'string', length: 16 },
    subscriberId: { type: 'integer', nullable: true },
    assignee: { type: 'string', length: 320, nullable: true },
    openedAt: { type: 'datetime' },
    lastInboundAt: { type: 'datetime' },
    dueAt: { type: 'datetime', nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
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
    subject: { type: 'text' },
    textNew: { type: 'text' },
    textFull: { type: 'text' },
    html: { type: 'text', nullable: true, lazy: true },
    wantsDraft: { type: 'boolean' },
    sentAt: { type: 'datetime' },
    createdAt: { type: 'datetime' },
  },
});
