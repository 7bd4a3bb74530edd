import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyMessage, type Classification } from '../../../src/mail/classify.ts';
import { ParsePool } from '../../../src/mail/safe-parse.ts';

/**
 * The labelled classification fixtures (test/fixtures/classification, format in its README):
 * automatic mail without standard headers (vacation templates, ticket acknowledgements,
 * no-reply notifications, gateway block notices) and the human look-alikes that must be
 * answered. Parsed with the production limits and classified as the parse stage does.
 */
const DIR = resolve(import.meta.dirname, '../../fixtures/classification');
const ctx = { ownDomains: ['casedesk.example'], ownAddresses: ['answers@casedesk.example'] };

interface Row {
  path: string;
  automatic: boolean;
  kind: string;
  result: Classification;
}

describe('labelled classification fixtures', () => {
  const rows: Row[] = [];
  const pool = new ParsePool({ threads: 2 });

  beforeAll(async () => {
    const manifest = readFileSync(resolve(DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const limits = { maxBytes: 25 * 1024 * 1024, timeoutMs: 20_000, maxDepth: 50, maxParts: 500 };
    for (const [path, expectAnswer, kind] of manifest) {
      const parsed = await pool.parse(readFileSync(resolve(DIR, path!)), limits);
      if (!parsed.ok) throw new Error(`${path}: ${parsed.code} ${parsed.reason}`);
      rows.push({ path: path!, automatic: expectAnswer === 'no', kind: kind!, result: classifyMessage(parsed.message, ctx) });
    }
  }, 120_000);

  afterAll(async () => {
    await pool.close();
  });

  it('has both labels and every class', () => {
    expect(rows.filter((r) => r.automatic).length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => !r.automatic).length).toBeGreaterThanOrEqual(20);
  });

  it('suppresses every automatic message', () => {
    expect(rows.filter((r) => r.automatic && r.result.answerable).map((r) => r.path)).toEqual([]);
  });

  it('suppresses no human message', () => {
    expect(rows.filter((r) => !r.automatic && !r.result.answerable).map((r) => `${r.path}: ${r.result.reasons.join('; ')}`)).toEqual([]);
  });

  it('calls block notices and delivery reports bounces, digests list mail, and the rest automatic replies', () => {
    const expected = (kind: string) => (kind === 'gateway-block' || kind.endsWith('-bounce') ? 'bounce' : kind === 'list-digest' ? 'list' : 'auto-reply');
    for (const row of rows.filter((r) => r.automatic)) {
      expect(row.result.kind, row.path).toBe(expected(row.kind));
    }
  });
});
