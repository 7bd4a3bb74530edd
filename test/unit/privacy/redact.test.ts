import { describe, expect, it } from 'vitest';
import { PHI_KINDS, redactPhi, redactText, removedMarker } from '../../../src/privacy/index.ts';

describe('redactPhi', () => {
  it('puts a marker in place of each span, by kind', () => {
    const { text } = redactText('Pt John Smith DOB 3/4/1957, member ID W123456789, call 404-555-0123. 99213-25 on DOS 1/15/2025?');
    expect(text).toBe(
      'Pt [removed: patient name] DOB [removed: date of birth], member ID [removed: member ID], call [removed: phone number]. 99213-25 on DOS 1/15/2025?',
    );
  });

  it('has a readable label for every kind', () => {
    expect(PHI_KINDS.map(removedMarker)).toEqual([
      '[removed: SSN]',
      '[removed: Medicare ID]',
      '[removed: member ID]',
      '[removed: record or account number]',
      '[removed: date of birth]',
      '[removed: patient name]',
      '[removed: phone number]',
      '[removed: address]',
      '[removed: email address]',
    ]);
  });

  it('ignores spans that overlap an earlier one or fall outside the text', () => {
    const text = 'abcdefghij';
    expect(
      redactPhi(text, [
        { kind: 'name', start: 6, end: 8 },
        { kind: 'ssn', start: 0, end: 3 },
        { kind: 'mrn', start: 2, end: 5 },
        { kind: 'dob', start: 8, end: 99 },
        { kind: 'email', start: 4, end: 4 },
      ]),
    ).toBe('[removed: SSN]def[removed: patient name]ij');
  });

  it('returns the text unchanged when nothing is marked', () => {
    expect(redactText('Can 97760 be billed with 97530?')).toEqual({ text: 'Can 97760 be billed with 97530?', spans: [] });
  });

  it('leaves no marked text behind', () => {
    const source = 'Patient Name: DOE, JANE A.\nMRN: 000618822  DOB: 02/14/1967\n4500 N. Peachtree Industrial Blvd, Suite 200, Chamblee, GA 30341';
    const { text, spans } = redactText(source);
    expect(spans.length).toBe(4);
    for (const s of spans) expect(text).not.toContain(s.text);
  });
});
