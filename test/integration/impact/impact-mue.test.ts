import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesImpact, codesImport } from '../../../src/cli/commands/codes.ts';
import type { ImpactView } from '../../../src/impact/impacts.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { seedSentAnswer } from '../../support/sent-answers.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/codes');

// The MUE fixtures (made-up values): from 2026Q1 to 2026Q2, 36415 goes from 2 to 1 and 97110
// from 6 to 4, G0283 gains a limit of 0; 20610 and J1885 are unchanged.
describe.each(TEST_DRIVERS)('impact of an MUE release (%s)', (driver) => {
  let t: TestDatabase;
  let views: ImpactView[] = [];
  const names = new Map<number, string>();

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await codesImport(t.orm, 'mue', resolve(FIXTURES, 'MCR_MUE_PractitionerServices_Eff_01-01-2026.csv'), { lookbackDays: 180 });
    const seed = async (name: string, codes: string[]) => names.set((await seedSentAnswer(t.orm.em.fork(), names.size, { mue: codes.map((code) => ({ code })) })).draftId, name);
    await seed('value lowered', ['97110', '20610']);
    await seed('limit added', ['G0283']);
    await seed('unchanged', ['20610', 'J1885']);
    await codesImport(t.orm, 'mue', resolve(FIXTURES, 'MCR_MUE_PractitionerServices_Eff_04-01-2026.csv'), { lookbackDays: 180 });
    views = ((await codesImpact(t.orm.em.fork(), 'latest', { lookbackDays: 180 })).json as { impacts: ImpactView[] }).impacts;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('names the answers whose MUE changed, with before and after', () => {
    expect(Object.fromEntries(views.map((v) => [names.get(v.draftId), v.facts.map((f) => ({ fact: f.fact, before: f.before, after: f.after }))]))).toEqual({
      'value lowered': [{ fact: '97110', before: { value: 6, adjudicationIndicator: '3' }, after: { value: 4, adjudicationIndicator: '3' } }],
      'limit added': [{ fact: 'G0283', before: null, after: { value: 0, adjudicationIndicator: '2' } }],
    });
  });
});
