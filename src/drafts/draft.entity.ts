import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedJsonType, EncryptedTextType } from '../crypto/encrypted-type.ts';

export type DraftKind = 'answer' | 'needs-info';
export type DraftState = 'pending' | 'approved' | 'rejected' | 'sent' | 'failed';

/** A reply awaiting a consultant: built from one inbound question, with the evidence it rests on. */
export class Draft {
  [OptionalProps]?: 'state' | 'codes' | 'evidence' | 'versions' | 'createdAt' | 'updatedAt';
  id!: number;
  caseId!: number;
  /** The inbound case message this draft answers; one draft per question (idempotent drafting). */
  caseMessageId!: number;
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
  indexes: [{ properties: ['state'] }, { properties: ['caseId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caseId: { type: 'integer' },
    caseMessageId: { type: 'integer', unique: true },
    kind: { type: 'string', length: 32 },
    state: { type: 'string', length: 16 },
    subject: { type: new EncryptedTextType('draft.subject') },
    bodyText: { type: new EncryptedTextType('draft.body_text') },
    bodyHtml: { type: new EncryptedTextType('draft.body_html') },
    codes: { type: 'json' },
    evidence: { type: new EncryptedJsonType('draft.evidence') },
    versions: { type: 'json' },
    dueAt: { type: 'datetime', nullable: true },
    decidedBy: { type: 'string', length: 320, nullable: true },
    decidedAt: { type: 'datetime', nullable: true },
    rejectReason: { type: new EncryptedTextType('draft.reject_reason'), nullable: true },
    outboxId: { type: 'integer', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
