import { EntitySchema } from '@mikro-orm/core';

/** One NCCI procedure-to-procedure (PTP) practitioner edit of one quarterly release. */
export class NcciEditRow {
  id!: number;
  releaseId!: number;
  column1!: string;
  column2!: string;
  /** The CMS "in existence prior to 1996" flag. */
  priorTo1996!: boolean;
  effectiveDate!: string;
  /** YYYY-MM-DD, or null for `*` (no deletion). */
  deletionDate?: string | null;
  modifierIndicator!: string;
  rationale!: string;
}

export const NcciEditSchema = new EntitySchema<NcciEditRow>({
  class: NcciEditRow,
  tableName: 'ncci_edit',
  indexes: [{ properties: ['releaseId', 'column1', 'column2'] }, { properties: ['releaseId', 'column2'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    releaseId: { type: 'integer' },
    column1: { type: 'string', length: 8 },
    column2: { type: 'string', length: 8 },
    priorTo1996: { type: 'boolean' },
    effectiveDate: { type: 'string', length: 10 },
    deletionDate: { type: 'string', length: 10, nullable: true },
    modifierIndicator: { type: 'string', length: 1 },
    rationale: { type: 'text' },
  },
});
