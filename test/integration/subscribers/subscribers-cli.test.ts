import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

/** `casedesk subscribers …` through the real CLI entry point, with two small plans. */
const cli = (t: TestDatabase, ...args: string[]) => runCasedesk(t, ['subscribers', ...args], { PLANS: 'trial:2,standard:50' });

describe.each(TEST_DRIVERS)('casedesk subscribers on %s', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('adds, lists, changes plan, reports usage and removes', async () => {
    expect(await cli(t, 'add', 'Coder@Clinic.Example', '--plan', 'trial')).toMatchObject({ status: 0, out: 'added coder@clinic.example on plan trial (2 questions a month)\n' });
    expect(await cli(t, 'add', '@clinic.example', '--plan', 'standard')).toMatchObject({ status: 0 });
    expect(await cli(t, 'add', 'x@y.example', '--plan', 'gold')).toMatchObject({ status: 2, err: expect.stringMatching(/unknown plan "gold"; plans are: trial, standard/) });
    expect(await cli(t, 'add', 'coder@clinic.example', '--plan', 'trial')).toMatchObject({ status: 1, err: expect.stringMatching(/already a subscriber/) });

    const list = await cli(t, 'list', '--json');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.out)).toMatchObject([
      { pattern: '@clinic.example', plan: 'standard', quota: 50, usedThisMonth: 0, active: true },
      { pattern: 'coder@clinic.example', plan: 'trial', quota: 2, usedThisMonth: 0, active: true },
    ]);
    expect((await cli(t, 'list')).out).toMatch(/^PATTERN +PLAN +QUOTA +USED +SINCE\n@clinic\.example +standard +50 +0 /);

    expect(await cli(t, 'set-plan', 'coder@clinic.example', 'standard')).toMatchObject({ status: 0, out: 'coder@clinic.example is now on plan standard\n' });
    expect(await cli(t, 'set-plan', 'coder@clinic.example', '--plan', 'trial')).toMatchObject({ status: 0 });
    expect(await cli(t, 'set-plan', 'coder@clinic.example')).toMatchObject({ status: 2 });

    const usage = await cli(t, 'usage', 'coder@clinic.example', '--json');
    expect(JSON.parse(usage.out)).toMatchObject({ pattern: 'coder@clinic.example', plan: 'trial', quota: 2, used: 0, remaining: 2 });
    expect((await cli(t, 'usage', 'someone@clinic.example')).out).toMatch(/^someone@clinic\.example: subscription @clinic\.example, plan standard, 0 of 50 questions used in \d{4}-\d{2}, 50 remaining\n$/);
    expect(await cli(t, 'usage', 'stranger@else.example')).toMatchObject({ status: 1, err: expect.stringMatching(/not covered/) });

    expect(await cli(t, 'remove', '@clinic.example')).toMatchObject({ status: 0, out: 'removed @clinic.example\n' });
    expect(await cli(t, 'remove', '@clinic.example')).toMatchObject({ status: 1 });
    expect(JSON.parse((await cli(t, 'list', '--json')).out)).toHaveLength(1);
  });
});
