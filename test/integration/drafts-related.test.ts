import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../src/cases/case.entity.ts';
import { Draft, type DraftKind, type DraftState } from '../../src/drafts/draft.entity.ts';
import { findRelatedCases } from '../../src/drafts/related.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../support/db.ts';

const none = { cpt: [] as string[], hcpcs: [] as string[], icd10cm: [] as string[], icd10pcs: [] as string[], modifiers: [] as string[] };

describe.each(TEST_DRIVERS)('findRelatedCases on %s', (driver) => {
  let t: TestDatabase;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const em = t.orm.em.fork();
    let n = 0;
    const add = async (name: string, codes: Partial<typeof none>, decidedAt: string, state: DraftState = 'sent', kind: DraftKind = 'answer') => {
      const c = em.create(Case, { subject: `subject ${name}`, requesterEmail: `${name}@clinic.example` });
      await em.flush();
      em.create(Draft, {
        caseId: c.id, caseMessageId: ++n, kind, state, subject: 's', bodyText: 't', bodyHtml: 'h',
        codes: { ...none, ...codes }, decidedAt: new Date(decidedAt),
      });
      await em.flush();
      ids[name] = c.id;
    };
    await add('pairOld', { cpt: ['97530', '97140', '97110'], modifiers: ['59'] }, '2025-01-02T10:00:00Z');
    await add('pairNew', { cpt: ['97140'], hcpcs: [], icd10cm: ['M54.50'] }, '2025-01-05T10:00:00Z'); // one code only: no pair
    await add('sameSet', { cpt: ['97530'], icd10cm: ['M54.50'] }, '2025-01-04T10:00:00Z', 'approved');
    await add('pending', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'pending');
    await add('rejected', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'rejected');
    await add('needsInfo', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'sent', 'needs-info');
    await add('pairHcpcs', { cpt: ['97140'], hcpcs: ['J1885'] }, '2025-01-03T10:00:00Z', 'approved');
    await add('current', { cpt: ['97530', '97140'] }, '2025-01-07T10:00:00Z');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('links past approved or sent answers citing the same procedure pair, most recent first', async () => {
    const got = await findRelatedCases(t.orm.em.fork(), ['97530', '97140', 'J1885', 'M54.50', '59'], { excludeCaseId: ids.current });
    expect(got.map((r) => r.caseId)).toEqual([ids.pairHcpcs, ids.pairOld]);
    expect(got[1]).toEqual({ caseId: ids.pairOld, caseNumber: `CD-${ids.pairOld}`, date: '2025-01-02', subject: 'subject pairOld' });
  });

  it('links a past answer with exactly the same code set', async () => {
    const got = await findRelatedCases(t.orm.em.fork(), { ...none, icd10cm: ['m54.50'], cpt: ['97530'], modifiers: ['25'] }, { excludeCaseId: ids.current });
    expect(got.map((r) => r.caseId)).toEqual([ids.sameSet]);
  });

  it('honours the limit and excludes the case itself', async () => {
    const em = t.orm.em.fork();
    expect(await findRelatedCases(em, ['97530', '97140'], { excludeCaseId: ids.pairOld })).toEqual([
      expect.objectContaining({ caseId: ids.current }),
    ]);
    const all = await findRelatedCases(em, ['97530', '97140', 'J1885'], { excludeCaseId: 0 });
    expect(all.map((r) => r.caseId)).toEqual([ids.current, ids.pairHcpcs, ids.pairOld]);
    expect(await findRelatedCases(em, ['97530', '97140', 'J1885'], { excludeCaseId: 0, limit: 1 })).toHaveLength(1);
    expect(await findRelatedCases(em, [], { excludeCaseId: 0 })).toEqual([]);
    expect(await findRelatedCases(em, ['97110'], { excludeCaseId: 0 })).toEqual([]);
    expect(em.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);
  });
});
