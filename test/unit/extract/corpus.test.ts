import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFromRaw } from '../../../src/codes/extract/index.ts';
import { KEYS, loadCorpus, prf } from '../../../scripts/eval-extract.ts';

const corpus = loadCorpus(join(import.meta.dirname, '..', '..', 'fixtures', 'extraction'));

describe('extraction corpus', () => {
  it('has at least 100 labelled messages', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
  });

  it('keeps micro precision and F1 at or above the bar (0.97)', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const msg of corpus) {
      const got = await extractFromRaw(msg.raw);
      for (const key of KEYS) {
        const want = new Set(msg.expected[key]);
        for (const code of got[key]) if (want.has(code)) tp++; else fp++;
        for (const code of want) if (!got[key].includes(code)) fn++;
      }
    }
    const { p, f1 } = prf({ tp, fp, fn });
    expect(p).toBeGreaterThanOrEqual(0.97);
    expect(f1).toBeGreaterThanOrEqual(0.97);
  });
});
