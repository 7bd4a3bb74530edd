import { EntitySchema } from '@mikro-orm/core';

/**
 * One version of one NCCI procedure-to-procedure (PTP) practitioner edit, stored once for every
 * quarterly release that lists it unchanged: it is in release R when `fromKey <= key(R) <
 * untilKey` (see releaseKey: effective date, then import order). A quarter that changes 1 % of
 * the 1.5 million rows writes about 1 % of them. Lookups of a pair read the pair's few versions
 * through the (column1, column2) index and keep the one of the release asked about.
 */
export class NcciEditRow {
  id!: number;
  column1!: string;
  column2!: string;
  /** The CMS "in existence prior to 1996" flag. */
  priorTo1996!: boolean;
  effectiveDate!: string;
  /** YYYY-MM-DD, or null for `*` (no deletion). */
  deletionDate?: string | null;
  modifierIndicator!: string;
  rationale!: string;
  /** Key of the first release that lists this version. */
  fromKey!: string;
  /** Key of the first later release that no longer lists it; null while the newest does. */
  untilKey?: string | null;
}

export const NcciEditSchema = new EntitySchema<NcciEditRow>({
  class: NcciEditRow,
  tableName: 'ncci_edit',
  indexes: [{ properties: ['column1', 'column2'] }, { properties: ['column2'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    column1: { type: 'string', length: 8 },
    column2: { type: 'string', length: 8 },
    priorTo1996: { type: 'boolean' },
    effectiveDate: { type: 'string', length: 10 },
    deletionDate: { type: 'string', length: 10, nullable: true },
    modifierIndicator: { type: 'string', length: 1 },
    rationale: { type: 'text' },
    fromKey: { type: 'bigint' },
    untilKey: { type: 'bigint', nullable: true },
  },
});
