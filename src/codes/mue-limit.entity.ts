import { EntitySchema } from '@mikro-orm/core';

/** One MUE practitioner-services limit of one quarterly release. */
export class MueLimitRow {
  id!: number;
  releaseId!: number;
  code!: string;
  value!: number;
  /** `1` line edit, `2` date-of-service edit (policy), `3` date-of-service edit (clinical). */
  adjudicationIndicator!: string;
  rationale!: string;
}

export const MueLimitSchema = new EntitySchema<MueLimitRow>({
  class: MueLimitRow,
  tableName: 'mue_limit',
  uniques: [{ properties: ['releaseId', 'code'] }],
  indexes: [{ properties: ['code'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    releaseId: { type: 'integer' },
    code: { type: 'string', length: 8 },
    value: { type: 'integer' },
    adjudicationIndicator: { type: 'string', length: 1 },
    rationale: { type: 'text' },
  },
});
