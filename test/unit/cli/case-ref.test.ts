import { describe, expect, it } from 'vitest';
import { parseCaseRef } from '../../../src/cli/case-ref.ts';
import { ValidationError } from '../../../src/shared/errors.ts';

describe('parseCaseRef', () => {
  it('reads 12, CD-12 and cd-12 alike', () => {
    expect(parseCaseRef('12', 'case')).toBe(12);
    expect(parseCaseRef('CD-12', 'case')).toBe(12);
    expect(parseCaseRef(' cd-12 ', '--case')).toBe(12);
  });

  it('refuses anything else, naming the argument', () => {
    for (const bad of ['0', '-3', '1.5', 'CD-', 'twelve', 'CD-12a']) {
      expect(() => parseCaseRef(bad, '--case')).toThrow(ValidationError);
    }
    expect(() => parseCaseRef('x', '--case')).toThrow('--case: expected a case number such as 12 or CD-12; got "x"');
  });
});
