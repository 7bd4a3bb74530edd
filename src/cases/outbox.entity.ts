import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedTextType } from '../crypto/encrypted-type.ts';

export type OutboxKind = 'answer' | 'needs-info' | 'follow-up' | 'received' | 'not-subscribed' | 'over-quota';
/**
 * `sending` is written before the SMTP transaction; a job that finds a row still `sending`
 * (the process died mid-send) marks it `unknown` for a human instead of risking a second copy.
 */
export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'bounced';

/** One outgoing mail, written once per approved draft or automatic notice. */
export class Outbox {
  [OptionalProps]?: 'references' | 'autoSubmitted' | 'state' | 'attempts' | 'createdAt' | 'updatedAt';
  id!: number;
  /** Unique key of what this mail is for (`draft:12`, `notice:received:34`): no second row, no second mail. */
  dedupeKey!: string;
  kind!: OutboxKind;
  caseId?: number | null;
  draftId?: number | null;
  messageId!: string;
  toAddress!: string;
  subject!: string;
  text!: string;
  html?: string | null;
  inReplyTo?: string | null;
  references: string[] = [];
  autoSubmitted = false;
  state: OutboxState = 'queued';
  attempts = 0;
  lastError?: string | null;
  smtpResponse?: string | null;
  bounceStatus?: string | null;
  bounceDiagnostic?: string | null;
  createdAt: Date = new Date();
  sentAt?: Date | null;
  updatedAt: Date = new Date();
}

export const OutboxSchema = new EntitySchema<Outbox>({
  class: Outbox,
  tableName: 'outbox',
  // (kind, createdAt): the notices to a domain in the last hour, read by every new case's intake (src/cases/notice-history.ts).
  indexes: [{ properties: ['state'] }, { properties: ['toAddress', 'kind'] }, { properties: ['kind', 'createdAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    dedupeKey: { type: 'string', length: 128, unique: true },
    kind: { type: 'string', length: 32 },
    caseId: { type: 'integer', nullable: true },
    draftId: { type: 'integer', nullable: true },
    messageId: { type: 'string', length: 255, unique: true },
    toAddress: { type: 'string', length: 320 },
    subject: { type: new EncryptedTextType('outbox.subject') },
    text: { type: new EncryptedTextType('outbox.text') },
    html: { type: new EncryptedTextType('outbox.html'), nullable: true },
    inReplyTo: { type: 'text', nullable: true },
    references: { type: 'json' },
    autoSubmitted: { type: 'boolean' },
    state: { type: 'string', length: 16 },
    attempts: { type: 'integer' },
    lastError: { type: 'text', nullable: true },
    smtpResponse: { type: 'text', nullable: true },
    bounceStatus: { type: 'string', length: 32, nullable: true },
    bounceDiagnostic: { type: 'text', nullable: true },
    createdAt: { type: 'datetime' },
    sentAt: { type: 'datetime', nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
