import { describe, expect, it } from 'vitest';
import { formatSubscriberTable } from '../../../src/cli/commands/subscribers.ts';
import { ValidationError } from '../../../src/shared/errors.ts';
import { assertPlan, monthBounds, normalizePattern, quotaResetsOn } from '../../../src/subscribers/subscribers.ts';

const plans = { trial: 5, standard: 50, pro: 200 };

describe('normalizePattern', () => {
  it.each([
    ['Coder@Clinic.Example', 'coder@clinic.example'],
    ['  a.b+tag@sub.clinic.example ', 'a.b+tag@sub.clinic.example'],
    ['@Clinic.Example', '@clinic.example'],
    ['@sub-1.clinic.co.uk', '@sub-1.clinic.co.uk'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePattern(input)).toBe(expected);
  });

  it.each(['', 'coder', 'coder@', '@', '@localhost', '@-bad.example', 'a@b@c.example', '@clinic..example', 'two words@x.example'])(
    'rejects %j',
    (input) => {
      expect(() => normalizePattern(input)).toThrow(ValidationError);
    },
  );
});

describe('assertPlan', () => {
  it('accepts a configured plan, case-insensitively', () => {
    expect(assertPlan('Pro', plans)).toBe('pro');
  });

  it('rejects an unknown plan and names the plans', () => {
    expect(() => assertPlan('gold', plans)).toThrow(/unknown plan "gold"; plans are: trial, standard, pro/);
    expect(() => assertPlan('toString', plans)).toThrow(ValidationError);
  });
});

describe('monthBounds', () => {
  it('is the calendar month in UTC', () => {
    expect(monthBounds(new Date('2025-01-31T23:59:59Z'))).toEqual({ start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-02-01T00:00:00Z') });
    expect(monthBounds(new Date('2024-12-15T00:00:00Z')).end).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(quotaResetsOn(new Date('2024-12-15T00:00:00Z'))).toBe('2025-01-01');
  });
});

describe('formatSubscriberTable', () => {
  it('aligns columns', () => {
    const text = formatSubscriberTable([
      { pattern: 'coder@clinic.example', plan: 'pro', quota: 200, usedThisMonth: 3, active: true, createdAt: '2025-01-02T10:00:00.000Z' },
      { pattern: '@hospital.example', plan: 'gone', quota: null, usedThisMonth: 0, active: true, createdAt: '2025-01-03T10:00:00.000Z' },
    ]);
    expect(text).toBe(
      'PATTERN               PLAN  QUOTA  USED  SINCE\n' +
        'coder@clinic.example  pro   200    3     2025-01-02\n' +
        '@hospital.example     gone  ?      0     2025-01-03\n',
    );
    expect(formatSubscriberTable([])).toBe('no subscribers\n');
  });
});
