import { describe, expect, it } from 'vitest';
import { findDateOfService } from '../../../src/codes/extract/date-of-service.ts';

describe('findDateOfService', () => {
  const cases: Array<[string, string | null]> = [
    ['DOS 01/15/2025 for 99213', '2025-01-15'],
    ['date of service March 3, 2025', '2025-03-03'],
    ['DOS: 3/3/25', '2025-03-03'],
    ['dos 2025-01-15', '2025-01-15'],
    ['D.O.S. 12-02-2024', '2024-12-02'],
    ['service date was 2/4/2025', '2025-02-04'],
    ['Date of Service: Sept. 9th, 2024', '2024-09-09'],
    ['DOS 15 Jan 2025', '2025-01-15'],
    ['DOS 02/30/2025 is not a date', null],
    ['no date here, 01/15/2025 is not labelled', null],
    ['DOS unknown', null],
    // Without a label: a date right after words saying the service took place then.
    ['Can we bill 99213 with 97110 for a visit on 02/10/2026?', '2026-02-10'],
    ['Patient was seen on 3/4/2026 for 20610.', '2026-03-04'],
    ['The procedure was performed on Jan 5, 2026; is 64483 billable?', '2026-01-05'],
    ['For services rendered 01/15/2026 can I use 97140-59?', '2026-01-15'],
    ['DOB 01/02/1960, seen 3/4/2026, billed 99214', '2026-03-04'],
    // A labelled date wins over a service word before it.
    ['Seen on 3/4/2026 (follow-up); DOS 3/11/2026 for 99213', '2026-03-11'],
    // Other dates never count.
    ['DOB 01/02/1960, claim denied on 02/10/2026 for 99214', null],
    ['received on 02/10/2026, paid 03/01/2026', null],
    ['the visit was 99213 on a weekday', null],
  ];
  it.each(cases)('%s', (text, want) => expect(findDateOfService(text)?.date ?? null).toBe(want));

  it('returns the text as written', () => {
    expect(findDateOfService('Pt seen DOS: 3/3/25.')).toEqual({ date: '2025-03-03', written: '3/3/25' });
  });
});
