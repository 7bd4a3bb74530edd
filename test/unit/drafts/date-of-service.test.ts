import { describe, expect, it } from 'vitest';
import { chooseDateOfService } from '../../../src/drafts/compose.ts';
import { buildEvidence } from '../../../src/drafts/evidence.ts';
import { fakeCodeFacts, type FakeCodeFactsCall } from '../../fixtures/drafts/fake-code-facts.ts';

/*
 * The date of service as the draft stage feeds it to the evidence core (compose.ts's
 * chooseDateOfService): read from the subject or the new text when written, else the day the
 * message was sent. This is the date the evidence rests on, so the common ways coders write a
 * DOS are pinned here.
 */
const RECEIVED = '2025-06-01T15:30:00Z';
const question = (textNew: string, subject = 'Billing question') => ({ subject, textNew, sentAt: new Date(RECEIVED) });

describe('date of service for the evidence', () => {
  it.each([
    ['DOS 01/15/2025, can we bill 97110?', '2025-01-15', '01/15/2025'],
    ['DOS: 1/5/25 97110 x3', '2025-01-05', '1/5/25'],
    ['date of service March 3, 2025', '2025-03-03', 'March 3, 2025'],
    ['Date of service was Sept. 30th, 2024', '2024-09-30', 'Sept. 30th, 2024'],
    ['dos 2025-01-15', '2025-01-15', '2025-01-15'],
    ['service date 1-15-2025', '2025-01-15', '1-15-2025'],
    ['DOS 15 Jan 2025', '2025-01-15', '15 Jan 2025'],
  ])('%j → %s from the email (written as %j)', (text, date, written) => {
    expect(chooseDateOfService(question(text))).toEqual({ date, source: 'email', written });
  });

  it('reads a date of service written in the subject', () => {
    expect(chooseDateOfService(question('Can 97110 be billed twice?', 'DOS 02/03/2025 question'))).toMatchObject({ date: '2025-02-03', source: 'email' });
  });

  it.each([
    ['no date at all: 97110 with 97530?'],
    ['invoice date 01/15/2025 (not a date of service)'],
    ['DOS 02/30/2025 (no such day)'],
  ])('%j → the day received', (text) => {
    expect(chooseDateOfService(question(text))).toEqual({ date: '2025-06-01', source: 'received', written: null });
  });

  it('takes the received day in UTC, also from a stored ISO string', () => {
    expect(chooseDateOfService({ subject: '', textNew: '97110?', sentAt: '2025-06-01T23:30:00-05:00' })).toEqual({ date: '2025-06-02', source: 'received', written: null });
  });

  it('looks every code up as of the date written in the email', async () => {
    const calls: FakeCodeFactsCall[] = [];
    const dos = chooseDateOfService(question('DOS 03/03/2025: 97530 and 97140?'));
    const ev = await buildEvidence(fakeCodeFacts({ calls }), { codes: { cpt: ['97530', '97140'], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] }, dateOfService: dos });
    expect(ev.dateOfService).toEqual({ date: '2025-03-03', source: 'email', written: '03/03/2025', label: '2025-03-03 (date of service written in the question: "03/03/2025")' });
    expect(calls.filter((c) => c.fn !== 'releasesInForce').every((c) => c.args.includes('2025-03-03'))).toBe(true);
  });
});
