import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesImpact, codesImport } from '../../../src/cli/commands/codes.ts';
import { Impact } from '../../../src/impact/impact.entity.ts';
import type { ImpactView } from '../../../src/impact/impacts.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { seedSentAnswer } from '../../support/sent-answers.ts';
import { HAVE_SHARED_DATA, SHARED_DATA } from '../../support/shared-data.ts';

const DATA = SHARED_DATA;
const ORDER_2025 = `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt`;
const CODES_2026 = `${DATA}/icd10cm/fy2026/icd10cm-codes-2026.txt`;

/**
 * The codes cited, and what FY2026 does to them (found by diffing the FY2025 and FY2026 files):
 * D71 and E88.1 become headers (FY2026 lists codes below them), S30.1XXA and T78.07XA are no
 * longer listed, L02.212 and Z83.718 have new descriptors. E11.9 and S52.501A are unchanged;
 * M54.5 is a header in both.
 */
const ANSWERS: { name: string; codes: string[]; affected: string[]; sentDaysAgo?: number }[] = [
  { name: 'header', codes: ['D71', 'E11.9'], affected: ['D71: code-became-header'] },
  { name: 'ended', codes: ['S30.1XXA'], affected: ['S30.1XXA: code-ended'] },
  { name: 'descriptor', codes: ['L02.212', 'M54.5'], affected: ['L02.212: descriptor-changed'] },
  { name: 'several', codes: ['E88.1', 'T78.07XA', 'Z83.718', 'S52.501A'], affected: ['E88.1: code-became-header', 'T78.07XA: code-ended', 'Z83.718: descriptor-changed'] },
  { name: 'unchanged', codes: ['E11.9', 'S52.501A', 'M54.5'], affected: [] },
  { name: 'too old (outside the look-back window)', codes: ['S30.1XXD'], affected: [], sentDaysAgo: 200 },
];

describe.skipIf(!HAVE_SHARED_DATA).each(TEST_DRIVERS)('impact of ICD-10-CM FY2026 on answers citing FY2025 codes (%s)', (driver) => {
  let t: TestDatabase;
  const drafts = new Map<number, (typeof ANSWERS)[number]>();
  let views: ImpactView[] = [];
  let releaseId = 0;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const first = await codesImport(t.orm, 'icd10cm', ORDER_2025, { lookbackDays: 180 });
    expect(first.json).toMatchObject({ impact: { previous: null, created: 0 } });
    for (const [n, a] of ANSWERS.entries()) {
      const { draftId } = await seedSentAnswer(t.orm.em.fork(), n, { codes: a.codes.map((code) => ({ code, systemLabel: 'ICD-10-CM' })), sentDaysAgo: a.sentDaysAgo });
      drafts.set(draftId, a);
    }
    const imported = await codesImport(t.orm, 'icd10cm', CODES_2026, { lookbackDays: 180 });
    releaseId = (imported.json as { release: { id: number } }).release.id;
    expect(imported.text).toContain('answers affected: 4 of 5');
    views = ((await codesImpact(t.orm.em.fork(), 'latest', { lookbackDays: 180 })).json as { impacts: ImpactView[] }).impacts;
  }, 300_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('names exactly the answers citing codes FY2026 changed, each with what changed', () => {
    const got = Object.fromEntries(views.map((v) => [drafts.get(v.draftId)!.name, v.facts.flatMap((f) => f.changes.map((c) => `${f.fact}: ${c}`))]));
    const want = Object.fromEntries(ANSWERS.filter((a) => a.affected.length).map((a) => [a.name, a.affected]));
    expect(got).toEqual(want);
  });

  it('stores the before and after of each fact', () => {
    const facts = views.flatMap((v) => v.facts);
    expect(facts.find((f) => f.fact === 'L02.212')).toMatchObject({
      before: { status: 'valid', descriptor: 'Cutaneous abscess of back [any part, except buttock]' },
      after: { status: 'valid', descriptor: 'Cutaneous abscess of back [any part, except buttock and flank]' },
    });
    expect(facts.find((f) => f.fact === 'D71')).toMatchObject({ before: { status: 'valid' }, after: { status: 'header' } });
    expect(facts.find((f) => f.fact === 'S30.1XXA')).toMatchObject({ before: { status: 'valid' }, after: { status: 'absent' } });
    expect(views.every((v) => v.release.effectiveDate === '2025-10-01' && v.release.label === 'ICD-10-CM FY2026' && v.open)).toBe(true);
  });

  it('importing the same release again creates no new impacts', async () => {
    const before = await t.orm.em.fork().count(Impact, { releaseId });
    const again = await codesImport(t.orm, 'icd10cm', CODES_2026, { lookbackDays: 180 });
    expect(again.json).toMatchObject({ skipped: true, impact: { created: 0, affected: 4 } });
    expect(await t.orm.em.fork().count(Impact, { releaseId })).toBe(before);
    expect(before).toBe(4);
  });
});
