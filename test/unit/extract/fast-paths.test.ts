import { describe, expect, it } from 'vitest';
import { extractCodes, toContractJson } from '../../../src/codes/extract/index.ts';

type Contract = ReturnType<typeof toContractJson>;
const none: Contract = { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] };

/**
 * Inputs at the edges of the extractor's fast paths (jumping from digit to digit, hyphenated
 * HCPCS, regexes tried only at a hyphen or slash, tokens read lazily before a candidate, the
 * HCPCS/ICD-10-CM block layout). Each expected object is the labelled truth by EXTRACTION.md,
 * written from the contract, not from what the implementation returns.
 */
const CASES: Array<[string, string, Contract]> = [
  ['hyphenated HCPCS, glued units', 'Order lists L-1831 and l-3908x2 for the same knee.', { ...none, hcpcs: ['L1831', 'L3908'] }],
  ['hyphenated HCPCS in a list', 'Dispensed one of L-1832, L-1833 or L-1851?', { ...none, hcpcs: ['L1832', 'L1833', 'L1851'] }],
  ['numbers glued into dotted tokens are not codes', 'Build v2.99213 logged a value of 97110.5 mg.', none],
  [
    'hyphen and slash items',
    'Billed 99213-25 with 36415; RT/LT on the films and XU / XS on 36415?',
    { ...none, cpt: ['99213', '36415'], modifiers: ['25', 'RT', 'LT', 'XU', 'XS'] },
  ],
  ['ZIP codes after states', 'Mail to 100 Main St, Austin, TX 78701; the New York 10001 office billed 97110 x3.', { ...none, cpt: ['97110'] }],
  [
    'letter + 4 digits: a dx list, and a block with no ICD-10-CM category',
    'dx M5450, E1165, L3908 and N1831',
    { ...none, hcpcs: ['L3908'], icd10cm: ['M54.50', 'E11.65', 'N18.31'] },
  ],
  ['lone hyphen items, not a score', 'Payer wants -25 and -59 (-LT on the second line); pain score: -26', { ...none, modifiers: ['25', '59', 'LT'] }],
  ['items before a modifier word', 'Is it the 25 or 59 modifier? I thought the 25 modifier was enough for 99214.', { ...none, cpt: ['99214'], modifiers: ['25', '59'] }],
  ['identifiers and code words before a number', 'ticket #20551: CPT #99213 and 01402 (two units)', { ...none, cpt: ['99213', '01402'] }],
  ['a count, a wildcard category', 'We gave 10450 flu shots and coded O09.- for the high-risk ones.', none],
  ['a Mod column', 'CPT    Mod   Units\n99214  25    1\n20610  RT    1', { ...none, cpt: ['99214', '20610'], modifiers: ['25', 'RT'] }],
];

describe('extractCodes fast paths, against labelled truth', () => {
  for (const [name, body, expected] of CASES) {
    it(name, () => {
      expect(toContractJson(extractCodes({ subject: '', body }))).toEqual(expected);
    });
  }
});
