import { describe, expect, it } from 'vitest';
import { checkPassword, hashPassword, verifyPassword } from '../../../src/review/users.ts';
import { ConfigError, ValidationError } from '../../../src/shared/errors.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { quantile } from '../../../src/web/metrics.ts';
import { resolveSessionSecret } from '../../../src/web/security.ts';
import { createPageRenderer, formatDuration, formatTime } from '../../../src/web/views.ts';

describe('session secret', () => {
  it('uses SESSION_SECRET when set', () => {
    expect(resolveSessionSecret({ secret: 'x'.repeat(32), production: true }, silentLogger)).toBe('x'.repeat(32));
  });
  it('refuses to start without one in production', () => {
    expect(() => resolveSessionSecret({ production: true }, silentLogger)).toThrow(ConfigError);
  });
  it('makes a random one per process otherwise, never a fixed fallback', () => {
    const a = resolveSessionSecret({}, silentLogger);
    const b = resolveSessionSecret({}, silentLogger);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(a).not.toBe(b);
  });
});

describe('passwords', () => {
  it('hashes with a fresh salt and verifies', async () => {
    const [a, b] = await Promise.all([hashPassword('a long password'), hashPassword('a long password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long password', a)).toBe(true);
    expect(await verifyPassword('a long passwore', a)).toBe(false);
    expect(await verifyPassword('a long password', 'plain$text')).toBe(false);
  });
  it('refuses empty and short passwords', () => {
    expect(() => checkPassword('          ')).toThrow(ValidationError);
    expect(() => checkPassword('123456789')).toThrow(/at least 10/);
    expect(() => checkPassword('1234567890')).not.toThrow();
  });
});

describe('page helpers', () => {
  it('formats durations and times', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(-5 * 60_000)).toBe('5m');
    expect(formatDuration(3 * 3_600_000 + 12 * 60_000)).toBe('3h 12m');
    expect(formatDuration(50 * 3_600_000)).toBe('2d 2h');
    expect(formatTime('2026-11-27T04:35:10Z')).toBe('2026-11-27 04:35 UTC');
    expect(formatTime(null)).toBe('');
  });
  it('computes quantiles', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
  });
  it('compiles every page in strict mode: a missing field throws instead of rendering blank', () => {
    const render = createPageRenderer();
    const base = { title: 't', user: null, csrf: 'tok', flash: null, nav: 'login' };
    expect(render('login', { ...base, next: '/queue', error: null, email: '' })).toContain('name="_csrf" value="tok"');
    expect(() => render('login', { ...base, next: '/queue', error: null })).toThrow(/email/);
  });
});
