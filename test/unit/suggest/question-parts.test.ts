import { describe, expect, it } from 'vitest';
import { extractCodes } from '../../../src/codes/extract/index.ts';
import { findModifierTargets } from '../../../src/drafts/suggest/modifier-targets.ts';
import { unitsInWords } from '../../../src/drafts/suggest/units-in-words.ts';
import { findLookingFor, systemAskedFor } from '../../../src/drafts/suggest/looking-for.ts';

const targets = (body: string) => findModifierTargets(extractCodes({ subject: '', body }), { subject: '', body });
const units = (body: string) => unitsInWords({ subject: '', body }, extractCodes({ subject: '', body }).hits);

describe('findModifierTargets', () => {
  it.each([
    ['97140-59 with 97530', { '59': '97140' }],
    ['We put 59 on 97140 and billed 97530.', { '59': '97140' }],
    ['Do I append modifier 25 to 20610 or to the 99214?', { '25': '20610' }],
    ['Should we use XU instead of 59 on 97140 with 97530?', { XU: '97140', '59': '97140' }],
    ['We billed L3908 x2 with RT and LT on one line.', { RT: 'L3908', LT: 'L3908' }],
    ['Ankle orthosis L1902 for the left ankle - do I need LT on it?', { LT: 'L1902' }],
    ['For bilateral wrist braces do we use RT/LT or 50?', { RT: null, LT: null, '50': null }],
  ])('%s', (text, expected) => {
    expect(targets(text)).toEqual(expected);
  });
});

describe('unitsInWords', () => {
  it.each([
    ['we gave eight units of J1885', { J1885: 8 }],
    ['J1885 x10. Is that ok?', { J1885: 10 }],
    ['64483 with 2 units', { '64483': 2 }],
    ['Can G0283 be billed x2 if we did two areas?', { G0283: 2 }],
    ['75 minutes of 97530 = 5 units', { '97530': 5 }],
    ['L1833 qty 2 on one line', { L1833: 2 }],
    ['45380 billed once (1 unit) even though 3 lesions', { '45380': 1 }],
    ['97110 and 97140 x2', { '97140': 2 }],
    ['97110 for the low back', {}],
    ['Can 20553 be reported twice on the same date? We did 2 units.', { '20553': 2 }],
    ['97110 and 97140 were done. We did 2 units and 3 units.', {}],
  ])('%s', (text, expected) => {
    expect(units(text)).toEqual(expected);
  });
});

describe('findLookingFor / systemAskedFor', () => {
  it('reads the described service up to the end of the sentence, without filler', () => {
    expect(findLookingFor('what is the dx code for right knee pain? dos 1/7/2026')).toEqual({ words: 'right knee pain', system: 'icd10cm' });
    expect(findLookingFor('looking for the code for generalized anxiety disorder please. dos 01/06/2026')).toEqual({ words: 'generalized anxiety disorder', system: null });
    expect(findLookingFor('which j code do we use for ceftriaxone?')).toEqual({ words: 'ceftriaxone', system: 'hcpcs' });
  });
  it('no description: null', () => {
    expect(findLookingFor('is there a code for it?')).toBeNull();
    expect(findLookingFor('what code for 2026?')).toBeNull();
  });
  it.each([
    ['icd-10 code for', 'icd10cm'], ['which pcs code', 'icd10pcs'], ['hcpcs code for a walker', 'hcpcs'], ['the j code for', 'hcpcs'], ['cpt code for', 'cpt'], ['code for a thing', null],
  ])('system of "%s" is %s', (text, system) => {
    expect(systemAskedFor(text)).toBe(system);
  });
});
