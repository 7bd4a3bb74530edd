import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { EncryptedTextType } from '../crypto/encrypted-type.ts';

/** An internal note on a case: shown in the thread on the review page, never sent. */
export class CaseNote {
  [OptionalProps]?: 'createdAt';
  id!: number;
  caseId!: number;
  author!: string;
  text!: string;
  createdAt: Date = new Date();
}

export const CaseNoteSchema = new EntitySchema<CaseNote>({
  class: CaseNote,
  tableName: 'case_note',
  indexes: [{ properties: ['caseId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caseId: { type: 'integer' },
    author: { type: 'string', length: 320 },
    text: { type: new EncryptedTextType('case_note.text') },
    createdAt: { type: 'datetime' },
  },
});
