import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedTextType } from '../crypto/encrypted-type.ts';

export type ReusableAnswerState = 'active' | 'retired';

/**
 * A consultant's approved answer kept for the next question of the same kind: keyed by intent
 * and codes (`ncci-pair:11042+97597`, the pair sorted). Only the answer body is stored: never the
 * coder's name, subject or question.
 */
export class ReusableAnswer {
  [OptionalProps]?: 'state' | 'createdAt' | 'updatedAt';
  id!: number;
  /** `intent:CODE+CODE` (see reusableKey). */
  key!: string;
  intent!: string;
  codes!: string[];
  body!: string;
  state: ReusableAnswerState = 'active';
  /** The draft whose approval last wrote the body (null after an admin edit). */
  sourceDraftId?: number | null;
  updatedBy!: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const ReusableAnswerSchema = new EntitySchema<ReusableAnswer>({
  class: ReusableAnswer,
  tableName: 'reusable_answer',
  indexes: [{ properties: ['state'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    key: { type: 'string', length: 400, unique: true },
    intent: { type: 'string', length: 32 },
    codes: { type: 'json' },
    body: { type: new EncryptedTextType('reusable_answer.body') },
    state: { type: 'string', length: 16 },
    sourceDraftId: { type: 'integer', nullable: true },
    updatedBy: { type: 'string', length: 320 },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
