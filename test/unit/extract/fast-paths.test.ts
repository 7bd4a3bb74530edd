import { describe, expect, it } from 'vitest';
import { extractCodes, toContractJson } from '../../../src/codes/extract/index.ts';

/**
 * Inputs at the edges of the extractor's fast paths (jumping from digit to digit, hyphenated
 * HCPCS, regexes tried only at a hyphen or slash, tokens read lazily before a candidate). The
 * expected lists are what the straightforward implementation returned before those paths.
 */
const CASES: Array<[string, ReturnType<typeof toContractJson>]> = [
  ['L-1831 and l-3908x2', { cpt: [], hcpcs: ['L1831', 'L3908'], icd10cm: [], icd10pcs: [], modifiers: [] }],
  ['a.99213 vs 99213.a and 97110.5', { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] }],
  ['x.99213-25, RT/LT and XU / XS on 36415', { cpt: ['36415'], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: ['RT', 'LT', 'XU', 'XS'] }],
  ['Austin, TX 78701; New York 10001 and 97110 x3', { cpt: ['97110'], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] }],
  ['dx M5450, E1165, L3908 and N1831', { cpt: [], hcpcs: [], icd10cm: ['M54.50', 'E11.65', 'L39.08', 'N18.31'], icd10pcs: [], modifiers: [] }],
  ['fee -25 -59 (-LT) ; score: -26', { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: ['25', '59', 'LT'] }],
  ['25 or 59 modifier; the 25 modifier', { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: ['25', '59'] }],
  ['ticket #20551, CPT #99213, 00100 units', { cpt: ['99213', '00100'], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] }],
];

describe('extractCodes fast paths', () => {
  for (const [body, expected] of CASES) {
    it(`extracts the same codes from ${JSON.stringify(body)}`, () => {
      expect(toContractJson(extractCodes({ subject: '', body }))).toEqual(expected);
    });
  }
});
