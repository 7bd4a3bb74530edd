import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedJsonType, EncryptedTextType } from '../crypto/encrypted-type.ts';

/** `follow-up`: drafted by a consultant when a new release overtook a sent answer (src/impact). */
export type DraftKind = 'answer' | 'needs-info' | 'follow-up';
export type DraftState = 'pending' | 'approved' | 'rejected' | 'sent' | 'failed';

/** A reply awaiting a consultant: built from one inbound question, with the evidence it rests on. */
export class Draft {
  [OptionalProps]?: 'state' | 'codes' | 'evidence' | 'versions' | 'followUpKey' | 'intents' | 'suggestionFacts' | 'createdAt' | 'updatedAt';
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
  /** The suggested answer paragraphs put in place of the consultant marker (null: none, the marker stayed). */
  suggestedAnswer?: string | null;
  /** The whole reply text as drafted with the suggestion (approving it unchanged is "Approve suggested answer"). */
  suggestedText?: string | null;
  /** The question's intents (SUGGEST.md vocabulary) and the facts the suggestion rests on. */
  intents: string[] | null = [];
  suggestionFacts: Record<string, unknown>[] | null = [];
  /** At approval: the text approved (before the code-set stamp), whether it equals the suggestion, and the normalised edit distance of the answer (0..1). */
  approvedText?: string | null;
  approvedUnchanged?: boolean | null;
  editDistance?: number | null;
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
    subject: { type: new EncryptedTextType('draft.subject') },
    bodyText: { type: new EncryptedTextType('draft.body_text') },
    bodyHtml: { type: new EncryptedTextType('draft.body_html') },
    codes: { type: 'json' },
    evidence: { type: new EncryptedJsonType('draft.evidence') },
    versions: { type: 'json' },
    suggestedAnswer: { type: new EncryptedTextType('draft.suggested_answer'), nullable: true },
    suggestedText: { type: new EncryptedTextType('draft.suggested_text'), nullable: true },
    intents: { type: 'json', nullable: true },
    suggestionFacts: { type: new EncryptedJsonType('draft.suggestion_facts'), nullable: true },
    approvedText: { type: new EncryptedTextType('draft.approved_text'), nullable: true },
    approvedUnchanged: { type: 'boolean', nullable: true },
    editDistance: { type: 'double', nullable: true },
    dueAt: { type: 'datetime', nullable: true },
    decidedBy: { type: 'string', length: 320, nullable: true },
    decidedAt: { type: 'datetime', nullable: true },
    rejectReason: { type: new EncryptedTextType('draft.reject_reason'), nullable: true },
    outboxId: { type: 'integer', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
