import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRaw } from '../../../src/mail/parse-worker.ts';
import { ParsePool, type ParseLimits } from '../../../src/mail/safe-parse.ts';
import {
  bombMessage, deepHtmlMessage, hugeHeaderMessage, invalidEncodingsMessage, manyPartsMessage, nestedMessage, nulMessage,
  ordinaryMessage, singleLineMessage,
} from './hostile-messages.ts';

const MB = 1024 * 1024;
// The configured defaults (config/schema.ts): 25 MB, 20 s, depth 50, 500 parts.
const limits: ParseLimits = { maxBytes: 25 * MB, timeoutMs: 20_000, maxDepth: 50, maxParts: 500 };

// One pool for the plain cases, created and closed here as workers/main.ts does for the parse stage.
const shared = new ParsePool();
afterAll(async () => {
  await shared.close();
});

describe('ParsePool.parse', () => {
  it('parses an ordinary message into a full ParsedMessage', async () => {
    const result = await shared.parse(ordinaryMessage(1), limits);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message).toMatchObject({
      messageId: '<q1@clinic.example>',
      from: { address: 'coder1@clinic.example', name: 'Coder 1' },
      to: [{ address: 'answers@casedesk.example', name: '' }],
      subject: 'Question 1',
      date: '2026-03-02T10:00:00.000Z',
      contentType: 'text/plain; charset=utf-8',
      warnings: [],
    });
    expect(result.message.text).toContain('97760');
    expect(result.message.headers['message-id']).toEqual(['<q1@clinic.example>']);
    expect(result.message.parts).toEqual([expect.objectContaining({ contentType: 'text/plain', depth: 0 })]);
  });

  it('parses a small, simple message on the calling thread, and a large or many-part one on a parser thread, with the same result', async () => {
    const pool = new ParsePool({ threads: 1 });
    try {
      const small = await pool.parse(ordinaryMessage(3), limits);
      expect(small.ok).toBe(true);
      expect(pool.threadCount).toBe(0);
      const manyParts = manyPartsMessage(20);
      const viaThread = await pool.parse(manyParts, limits);
      expect(pool.threadCount).toBe(1);
      expect(viaThread).toEqual(await parseRaw(manyParts, limits));
      if (viaThread.ok) expect(viaThread.message.parts).toHaveLength(21);
      const large = Buffer.concat([ordinaryMessage(4), Buffer.alloc(70 * 1024, 0x61)]);
      const [inThread, direct] = [await pool.parse(large, limits), await parseRaw(large, limits)];
      expect(inThread).toEqual(direct);
      // Limits apply on either path: a small message nested too deep is refused.
      expect(await pool.parse(nestedMessage(60), limits)).toMatchObject({ ok: false, code: 'too-deep' });
    } finally {
      await pool.close();
    }
  });

  it('refuses a message over the size cap before copying or parsing it', async () => {
    const result = await shared.parse(singleLineMessage(30 * MB), limits);
    expect(result).toEqual({ ok: false, code: 'too-large', reason: expect.stringMatching(/^message is 314\d+ bytes, over the 26214400-byte limit$/) });
  });
});

/** Each hostile message and what must happen to it. */
const hostile: Array<{ name: string; make: () => Buffer; expect: { ok: false; code: string } | { ok: true; warning: RegExp | null } }> = [
  { name: 'MIME nested 1,000 deep', make: () => nestedMessage(1000), expect: { ok: false, code: 'too-deep' } },
  { name: '100,000 parts', make: () => manyPartsMessage(100_000), expect: { ok: false, code: 'too-many-parts' } },
  { name: 'a 30 MB single line', make: () => singleLineMessage(30 * MB), expect: { ok: false, code: 'too-large' } },
  { name: 'a 20 MB single line (under the cap)', make: () => singleLineMessage(20 * MB), expect: { ok: true, warning: /text cut/ } },
  { name: 'a 5 MB header', make: () => hugeHeaderMessage(5 * MB), expect: { ok: false, code: 'header-too-large' } },
  { name: 'NUL bytes', make: nulMessage, expect: { ok: true, warning: /NUL bytes removed/ } },
  { name: 'invalid encodings and charsets', make: invalidEncodingsMessage, expect: { ok: true, warning: /unknown or refused charset "x-no-such-charset"/ } },
  { name: 'zip-bomb-like base64 parts', make: () => bombMessage(1024, 15), expect: { ok: true, warning: /text cut/ } },
  { name: 'HTML nested 200,000 deep', make: () => deepHtmlMessage(200_000), expect: { ok: true, warning: null } },
];

describe('hostile input', () => {
  it.each(hostile)('$name is quarantined or handled within the time limit', { timeout: 60_000 }, async ({ make, expect: wanted }) => {
    const pool = new ParsePool({ threads: 1 });
    try {
      const raw = make();
      const started = performance.now();
      const result = await pool.parse(raw, limits);
      expect(performance.now() - started).toBeLessThan(limits.timeoutMs + 2_000);
      if (!wanted.ok) {
        expect(result).toMatchObject({ ok: false, code: wanted.code });
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
      } else {
        expect(result.ok).toBe(true);
        if (result.ok && wanted.warning) expect(result.message.warnings.join('\n')).toMatch(wanted.warning);
      }
    } finally {
      await pool.close();
    }
  });

  it('a parse over the time limit is cut off by terminating its thread; the pool goes on', async () => {
    const pool = new ParsePool({ threads: 1 });
    try {
      const slow = await pool.parse(singleLineMessage(20 * MB), { ...limits, timeoutMs: 30 });
      expect(slow).toEqual({ ok: false, code: 'timeout', reason: 'parsing took longer than the 30 ms limit' });
      const next = await pool.parse(ordinaryMessage(2), limits);
      expect(next.ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('hostile messages never delay ordinary ones or block the main event loop', { timeout: 60_000 }, async () => {
    const pool = new ParsePool({ threads: 3 });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    try {
      const bad = hostile.map((h) => h.make());
      bad.push(singleLineMessage(20 * MB)); // parsed with a tiny limit below: a certain timeout
      await Promise.all([1, 2, 3].map((i) => pool.parse(ordinaryMessage(i), limits))); // threads loaded
      delay.enable();
      const started = performance.now();
      const badRuns = bad.map((raw, i) => pool.parse(raw, i === bad.length - 1 ? { ...limits, timeoutMs: 50 } : limits));
      const ordinaryLatency: number[] = [];
      // Ordinary mail keeps arriving while the hostile batch is in the pool.
      for (let i = 0; i < 30; i += 1) {
        const t = performance.now();
        const result = await pool.parse(ordinaryMessage(i), limits);
        ordinaryLatency.push(performance.now() - t);
        expect(result.ok).toBe(true);
      }
      const badResults = await Promise.all(badRuns);
      const total = performance.now() - started;
      delay.disable();
      expect(badResults.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code)).sort()).toEqual(
        ['header-too-large', 'timeout', 'too-deep', 'too-large', 'too-many-parts'],
      );
      expect(total).toBeLessThan(limits.timeoutMs);
      expect(Math.max(...ordinaryLatency)).toBeLessThan(5_000);
      // The main thread only checks sizes and hands bytes over: it keeps ticking while the
      // threads parse (bounds are loose because CI machines are shared; a parse on the main
      // thread would stall it for the whole 20 MB parse).
      expect(delay.percentile(50) / 1e6).toBeLessThan(50);
      expect(delay.max / 1e6).toBeLessThan(1_000);
    } finally {
      await pool.close();
    }
  });
});
