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
  ];
  it.each(cases)('%s', (text, want) => expect(findDateOfService(text)?.date ?? null).toBe(want));

  it('returns the text as written', () => {
    expect(findDateOfService('Pt seen DOS: 3/3/25.')).toEqual({ date: '2025-03-03', written: '3/3/25' });
  });
});
