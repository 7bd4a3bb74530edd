import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { AffectedFact } from './impact-core.ts';

/**
 * One sent answer that a newly imported release overtook: the facts it cited that read otherwise
 * in the new release than in the release it follows, each with its before and after. One row per
 * answer and release (unique), so computing the impact of a release again adds nothing.
 */
export class Impact {
  [OptionalProps]?: 'followUpDraftId' | 'createdAt';
  id!: number;
  /** The sent answer (its draft). */
  draftId!: number;
  caseId!: number;
  releaseId!: number;
  /** The system of the release (`ncci`, `mue`, `icd10cm`, …). */
  system!: string;
  /** `NCCI PTP 2026-Q2`: the release as the follow-up names it. */
  releaseLabel!: string;
  /** First date of service the new release applies to (its effective date). */
  effectiveDate!: string;
  /** The release compared with (the one the new release follows). */
  previousReleaseId!: number;
  facts!: AffectedFact[];
  /** The follow-up drafted for this impact, if any (at most one: see Draft.followUpKey). */
  followUpDraftId?: number | null;
  createdAt: Date = new Date();
}

export const ImpactSchema = new EntitySchema<Impact>({
  class: Impact,
  tableName: 'impact',
  uniques: [{ properties: ['draftId', 'releaseId'] }],
  indexes: [{ properties: ['caseId'] }, { properties: ['releaseId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    draftId: { type: 'integer' },
    caseId: { type: 'integer' },
    releaseId: { type: 'integer' },
    system: { type: 'string', length: 16 },
    releaseLabel: { type: 'string', length: 96 },
    effectiveDate: { type: 'string', length: 10 },
    previousReleaseId: { type: 'integer' },
    facts: { type: 'json' },
    followUpDraftId: { type: 'integer', nullable: true },
    createdAt: { type: 'datetime' },
  },
});
