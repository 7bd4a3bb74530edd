import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/** What a message was taken for: a person's question, or automatic mail (auto-reply, notice, bounce…). */
export type MessageLabel = 'human' | 'automatic';

/**
 * A consultant's correction of the mail classifier for one inbound message ("this was automatic"
 * / "this was a person"). One per message; the labelled messages feed the test corpus
 * (`casedesk messages export-labelled`). A `human` correction of an ignored message also makes
 * the parse stage file it as a question (src/cases/file-inbound.ts).
 */
export class ClassificationCorrection {
  [OptionalProps]?: 'classifierReasons' | 'createdAt';
  id!: number;
  inboundId!: number;
  /** The case the message was filed into (or threads into), when there is one. */
  caseId?: number | null;
  /** What the classifier said. */
  classifiedAs!: MessageLabel;
  /** The classifier's kind (auto-reply, notification, …) and reasons, kept as they were. */
  classifierKind?: string | null;
  classifierReasons: string[] = [];
  /** What the consultant says it was. */
  label!: MessageLabel;
  correctedBy!: string;
  createdAt: Date = new Date();
}

export const ClassificationCorrectionSchema = new EntitySchema<ClassificationCorrection>({
  class: ClassificationCorrection,
  tableName: 'classification_correction',
  uniques: [{ properties: ['inboundId'] }],
  indexes: [{ properties: ['createdAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    inboundId: { type: 'integer' },
    caseId: { type: 'integer', nullable: true },
    classifiedAs: { type: 'string', length: 16 },
    classifierKind: { type: 'string', length: 32, nullable: true },
    classifierReasons: { type: 'json' },
    label: { type: 'string', length: 16 },
    correctedBy: { type: 'string', length: 320 },
    createdAt: { type: 'datetime' },
  },
});
