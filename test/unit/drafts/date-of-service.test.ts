import { describe, expect, it } from 'vitest';
import { findDateOfService } from '../../../src/codes/extract/date-of-service.ts';
import { buildEvidence, type DateOfService } from '../../../src/drafts/evidence.ts';
import { fakeCodeFacts, type FakeCodeFactsCall } from '../../fixtures/drafts/fake-code-facts.ts';

/*
 * The date of service as the draft stage feeds it to the evidence core: read from the email
 * when written (findDateOfService, the extractor's), else the date received. This is the path
 * the evidence rests on, so the common ways coders write a DOS are pinned here.
 */
function dateOfService(text: string, received: string): DateOfService {
  const found = findDateOfService(text);
  return found ? { date: found.date, source: 'email', written: found.written } : { date: received, source: 'received' };
}

describe('date of service for the evidence', () => {
  it.each([
    ['DOS 01/15/2025, can we bill 97110?', '2025-01-15'],
    ['DOS: 1/5/25 97110 x3', '2025-01-05'],
    ['date of service March 3, 2025', '2025-03-03'],
    ['Date of service was Sept. 30th, 2024', '2024-09-30'],
    ['dos 2025-01-15', '2025-01-15'],
    ['service date 1-15-2025', '2025-01-15'],
    ['DOS 15 Jan 2025', '2025-01-15'],
  ])('%j → %s from the email', (text, date) => {
    expect(dateOfService(text, '2025-06-01')).toMatchObject({ date, source: 'email' });
  });

  it.each([
    ['no date at all: 97110 with 97530?'],
    ['invoice date 01/15/2025 (not a date of service)'],
    ['DOS 02/30/2025 (no such day)'],
  ])('%j → the date received', (text) => {
    expect(dateOfService(text, '2025-06-01')).toEqual({ date: '2025-06-01', source: 'received' });
  });

  it('looks every code up as of the date written in the email', async () => {
    const calls: FakeCodeFactsCall[] = [];
    const dos = dateOfService('DOS 03/03/2025: 97530 and 97140?', '2025-06-01');
    const ev = await buildEvidence(fakeCodeFacts({ calls }), { codes: { cpt: ['97530', '97140'], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] }, dateOfService: dos });
    expect(ev.dateOfService).toEqual({ date: '2025-03-03', source: 'email', written: '03/03/2025', label: '2025-03-03 (date of service written in the question: "03/03/2025")' });
    expect(calls.filter((c) => c.fn !== 'releasesInForce').every((c) => c.args.includes('2025-03-03'))).toBe(true);
  });
});
