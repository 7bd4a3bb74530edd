import { describe, expect, it } from 'vitest';
import { orderByKey } from '../../../src/codes/pair-index.ts';

/** A made-up sequence with sorted runs (as stored rows come back: one run per import) and repeated keys. */
function runs(seed: number, n: number, runLength: number): Float64Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const keys = new Float64Array(n);
  for (let start = 0; start < n; start += runLength) {
    const run = Array.from({ length: Math.min(runLength, n - start) }, () => Math.floor(next() * 50) * 36 ** 5 + Math.floor(next() * 40));
    run.sort((a, b) => a - b);
    keys.set(run, start);
  }
  return keys;
}

describe('orderByKey', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1000, 1000],
    [1000, 97],
    [1000, 1],
    [1537, 250],
  ])('puts %i keys in runs of %i in key order, equal keys in the order they were read', (n, runLength) => {
    const keys = runs(n + runLength, n, runLength);
    const order = orderByKey(keys);
    expect(order.length).toBe(n);
    expect(new Set(order).size).toBe(n);
    for (let k = 1; k < n; k += 1) {
      expect(keys[order[k - 1]]).toBeLessThanOrEqual(keys[order[k]]);
      if (keys[order[k - 1]] === keys[order[k]]) expect(order[k - 1]).toBeLessThan(order[k]);
    }
  });
});
