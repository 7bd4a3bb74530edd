import { describe, expect, it } from 'vitest';
import { mayAutoReply } from '../../../src/cases/notice-policy.ts';

const now = new Date('2025-01-15T12:00:00Z');
const hoursAgo = (h: number): Date => new Date(now.getTime() - h * 3600_000);

describe('mayAutoReply', () => {
  it.each([
    ['answerable, never notified', true, null, true],
    ['answerable, undefined last notice', true, undefined, true],
    ['automatic message, never notified', false, null, false],
    ['automatic message, notified long ago', false, hoursAgo(100), false],
    ['notified 1 h ago', true, hoursAgo(1), false],
    ['notified 23 h 59 min ago', true, new Date(now.getTime() - (24 * 3600_000 - 60_000)), false],
    ['notified exactly 24 h ago', true, hoursAgo(24), true],
    ['notified 25 h ago', true, hoursAgo(25), true],
    ['last notice in the future (clock skew)', true, hoursAgo(-2), false],
  ] as const)('%s → %s', (_name, classificationAnswerable, lastNoticeToSenderAt, expected) => {
    expect(mayAutoReply({ classificationAnswerable, lastNoticeToSenderAt, now })).toBe(expected);
  });
});
