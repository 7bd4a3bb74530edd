import { describe, expect, it } from 'vitest';
import { followUpText } from '../../../src/impact/follow-up.ts';
import type { Impact } from '../../../src/impact/impact.entity.ts';
import type { ImpactView } from '../../../src/impact/impacts.ts';
import { groupImpacts } from '../../../src/web/pages/impact-routes.ts';

const impact = (draftId: number, facts: Impact['facts']): Impact => ({
  id: draftId, draftId, caseId: 7, releaseId: 3, system: 'ncci', releaseLabel: 'NCCI PTP 2026Q2', effectiveDate: '2026-04-01', previousReleaseId: 2, facts, createdAt: new Date(),
});
const indicator: Impact['facts'][number] = {
  kind: 'pair', fact: '97530/97140', changes: ['indicator-changed'],
  before: { column1: '97140', column2: '97530', modifierIndicator: '1', effectiveDate: '2020-01-01', deletionDate: null },
  after: { column1: '97140', column2: '97530', modifierIndicator: '0', effectiveDate: '2020-01-01', deletionDate: null },
};

describe('followUpText', () => {
  it('says which release, from which date of service, and each change once across the answers of a case', () => {
    const text = followUpText({ greetingName: 'Pat', caseNumber: 'CD-7', impacts: [impact(1, [indicator]), impact(2, [indicator])], signatureName: 'CaseDesk' });
    expect(text).toContain('Hello Pat,');
    expect(text).toContain('NCCI PTP 2026Q2, for dates of service from 2026-04-01');
    expect(text.match(/the modifier indicator changed from 1 to 0/g)).toHaveLength(1);
    expect(text).toContain('For dates of service before 2026-04-01 our answer stands');
    expect(text.trimEnd().endsWith('CaseDesk')).toBe(true);
  });
});

describe('groupImpacts', () => {
  const view = (draftId: number, caseId: number, releaseId: number, open: boolean): ImpactView => ({
    id: draftId, caseId, caseNumber: `CD-${caseId}`, draftId, sentAt: null, release: { id: releaseId, system: 'ncci', label: 'x', effectiveDate: '2026-04-01' },
    previousReleaseId: 1, facts: [], followUp: open ? null : { draftId: 99, state: 'sent' }, open,
  });
  it('groups by case and release: one follow-up per group', () => {
    const groups = groupImpacts([view(1, 7, 3, true), view(2, 7, 3, true), view(3, 7, 4, false), view(4, 8, 3, true)], new Map([[7, { subject: 'S', requesterEmail: 'r@x' }]]));
    expect(groups.map((g) => [g.caseId, g.release.id, g.answers.map((a) => a.draftId), g.open])).toEqual([[7, 3, [1, 2], true], [7, 4, [3], false], [8, 3, [4], true]]);
    expect(groups[0]).toMatchObject({ subject: 'S', requester: 'r@x' });
  });
});
