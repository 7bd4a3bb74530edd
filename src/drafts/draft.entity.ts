import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/** `follow-up`: drafted by a consultant when a new release overtook a sent answer (src/impact). */
export type DraftKind = 'answer' | 'needs-info' | 'follow-up';
export type DraftState = 'pending' | 'approved' | 'rejected' | 'sent' | 'failed';

/** A reply awaiting a consultant: built from one inbound question, with the evidence it rests on. */
export class Draft {
  [OptionalProps]?: 'state' | 'codes' | 'evidence' | 'versions' | 'followUpKey' | 'createdAt' | 'updatedAt';
  id!: number;
  caseId!: number;
  /** The inbound case message this draft answers; one draft per question (idempotent drafting). */
  caseMessageId!: number;
  /**
   * Empty for the reply to a question (one per question: unique with caseMessageId); for a
   * follow-up to a question already answered, what it follows up (`impact:<id>`): never two
   * follow-ups for the same thing.
   */
  followUpKey = '';
  kind!: DraftKind;
  state: DraftState = 'pending';
  subject!: string;
  bodyText!: string;
  bodyHtml!: string;
  codes: Record<string, string[]> = {};
  evidence: Record<string, unknown> = {};
  versions: string[] = [];
  dueAt?: Date | null;
  decidedBy?: string | null;
  decidedAt?: Date | null;
  rejectReason?: string | null;
  outboxId?: number | null;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const DraftSchema = new EntitySchema<Draft>({
  class: Draft,
  tableName: 'draft',
  uniques: [{ properties: ['caseMessageId', 'followUpKey'] }],
  indexes: [{ properties: ['state'] }, { properties: ['caseId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caseId: { type: 'integer' },
    caseMessageId: { type: 'integer' },
    followUpKey: { type: 'string', length: 64, default: '' },
    kind: { type: 'string', length: 32 },
    state: { type: 'string', length: 16 },
    subject: { type: 'text' },
    bodyText: { type: 'text' },
    bodyHtml: { type: 'text' },
    codes: { type: 'json' },
    evidence: { type: 'json' },
    versions: { type: 'json' },
    dueAt: { type: 'datetime', nullable: true },
    decidedBy: { type: 'string', length: 320, nullable: true },
    decidedAt: { type: 'datetime', nullable: true },
    rejectReason: { type: 'text', nullable: true },
    outboxId: { type: 'integer', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
