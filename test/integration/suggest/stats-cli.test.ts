import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

describe.each(TEST_DRIVERS)('casedesk stats drafts (%s)', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const em = t.orm.em.fork();
    const base = { kind: 'answer' as const, subject: 'Re: q', bodyText: 'x', bodyHtml: '<p>x</p>', suggestedAnswer: 'A.', suggestedText: 'x' };
    em.create(Draft, { ...base, caseId: 1, caseMessageId: 1, state: 'sent', intents: ['ncci-pair'], approvedUnchanged: true, editDistance: 0, createdAt: new Date('2026-01-10T00:00:00Z') });
    em.create(Draft, { ...base, caseId: 2, caseMessageId: 2, state: 'approved', intents: ['units'], approvedUnchanged: false, editDistance: 0.5, createdAt: new Date('2026-02-10T00:00:00Z') });
    em.create(Draft, { ...base, caseId: 3, caseMessageId: 3, state: 'rejected', intents: ['units'], createdAt: new Date('2026-02-11T00:00:00Z') });
    await em.flush();
  });
  afterAll(async () => t?.drop());

  it('--json: overall and per intent; --since keeps the later drafts; a bad date is refused', async () => {
    const all = await runCasedesk(t, ['stats', 'drafts', '--json']);
    expect(all.status, all.err).toBe(0);
    expect(JSON.parse(all.out)).toEqual({
      since: null,
      overall: { suggested: 3, approvedUnchanged: 1, approvedEdited: 1, medianEditDistance: 0.25, rejected: 1 },
      byIntent: {
        'ncci-pair': { suggested: 1, approvedUnchanged: 1, approvedEdited: 0, medianEditDistance: 0, rejected: 0 },
        units: { suggested: 2, approvedUnchanged: 0, approvedEdited: 1, medianEditDistance: 0.5, rejected: 1 },
      },
    });
    const since = await runCasedesk(t, ['stats', 'drafts', '--json', '--since', '2026-02-01']);
    expect(JSON.parse(since.out).overall).toMatchObject({ suggested: 2, approvedUnchanged: 0, approvedEdited: 1 });
    const plain = await runCasedesk(t, ['stats', 'drafts']);
    expect(plain.out).toMatch(/\(all\)\s+3\s+1\s+1\s+0\.25\s+1/);
    const bad = await runCasedesk(t, ['stats', 'drafts', '--since', '2026-13-45']);
    expect(bad.status).not.toBe(0);
    expect(bad.err).toContain('is not a date');
  });
});
