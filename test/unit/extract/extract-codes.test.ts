import { describe, expect, it } from 'vitest';
import { extractCodes } from '../../../src/codes/extract/index.ts';

type Lists = { cpt?: string[]; hcpcs?: string[]; icd10cm?: string[]; icd10pcs?: string[]; modifiers?: string[] };

function run(body: string, subject = ''): Required<Lists> {
  const { cpt, hcpcs, icd10cm, icd10pcs, modifiers } = extractCodes({ subject, body });
  return { cpt, hcpcs, icd10cm, icd10pcs, modifiers };
}

function expectLists(body: string, want: Lists): void {
  expect(run(body)).toEqual({ cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [], ...want });
}

describe('extractCodes: forms and normalisation (EXTRACTION.md table)', () => {
  const cases: Array<[string, Lists]> = [
    ['Can 97760 be billed with 97530?', { cpt: ['97760', '97530'] }],
    ['anesthesia 00790 for lap chole', { cpt: ['00790'] }],
    ['Category II 3074F and III 0275T', { cpt: ['3074F', '0275T'] }],
    ['lower case cat III 0275t', { cpt: ['0275T'] }],
    ['CPT 99213 and CPT® code 99214, also (97012).', { cpt: ['99213', '99214', '97012'] }],
    ['HCPCS L3908, G0283 and J1885', { hcpcs: ['L3908', 'G0283', 'J1885'] }],
    ['l3908 in lower case', { hcpcs: ['L3908'] }],
    ['brace L-1831 with a hyphen', { hcpcs: ['L1831'] }],
    ['dx M54.50, S52.501A and W19.XXXA, Z23', { icd10cm: ['M54.50', 'S52.501A', 'W19.XXXA', 'Z23'] }],
    ['undotted M5450 and S52501A', { icd10cm: ['M54.50', 'S52.501A'] }],
    ['lower case m54.5', { icd10cm: ['M54.5'] }],
    ['F32.A is a valid category letter', { icd10cm: ['F32.A'] }],
    ['inpatient 0DTJ4ZZ', { icd10pcs: ['0DTJ4ZZ'] }],
    ['PCI 02703DZ, not a CPT code with a modifier', { icd10pcs: ['02703DZ'] }],
    ['de-duplicated: 99213, 99213 and 99213', { cpt: ['99213'] }],
  ];
  it.each(cases)('%s', (body, want) => expectLists(body, want));
});

describe('extractCodes: literal, never corrected', () => {
  const cases: Array<[string, Lists]> = [
    ['deleted 99201 still billed?', { cpt: ['99201'] }],
    ['incomplete S82.821 code', { icd10cm: ['S82.821'] }],
    ['M54.5 is no longer billable', { icd10cm: ['M54.5'] }],
    ['we did NOT bill 97140', { cpt: ['97140'] }],
  ];
  it.each(cases)('%s', (body, want) => expectLists(body, want));
});

describe('extractCodes: shape and context decide the category', () => {
  const cases: Array<[string, Lists]> = [
    ['S5250XA is ICD-10-CM', { icd10cm: ['S52.50XA'] }],
    ['M5450 (no HCPCS block for it)', { icd10cm: ['M54.50'] }],
    ['R0789 chest pain', { icd10cm: ['R07.89'] }],
    ['J1885 is a drug', { hcpcs: ['J1885'] }],
    ['dx E1165 for the pump', { icd10cm: ['E11.65'] }],
    ['HCPCS E1130 wheelchair', { hcpcs: ['E1130'] }],
    ['99214 with E1165, E1122, N1831', { cpt: ['99214'], icd10cm: ['E11.65', 'E11.22', 'N18.31'] }],
    // A dotted diagnosis beside it does not make it one: its writer dots diagnoses.
    ['Is 99213-25 ok with G0283 and M54.50?', { cpt: ['99213'], hcpcs: ['G0283'], icd10cm: ['M54.50'], modifiers: ['25'] }],
    ['dx E1165 and E11.22', { icd10cm: ['E11.65', 'E11.22'] }],
    ['J1885x2 units glued', { hcpcs: ['J1885'] }],
    ['L3908RT glued laterality', { hcpcs: ['L3908'], modifiers: ['RT'] }],
    ['M47816 spondylosis', { icd10cm: ['M47.816'] }],
    ['L89154 pressure ulcer', { icd10cm: ['L89.154'] }],
  ];
  it.each(cases)('%s', (body, want) => expectLists(body, want));

  it('uses the code-set lookup only as extra evidence where shape is ambiguous', () => {
    const isKnownCode = (system: string, code: string): boolean => system === 'icd10cm' && code === 'E11.40';
    expect(extractCodes({ subject: '', body: 'what about E1140' }, { isKnownCode }).icd10cm).toEqual(['E11.40']);
    expect(extractCodes({ subject: '', body: 'what about E1140' }).hcpcs).toEqual(['E1140']);
  });
});

describe('extractCodes: modifiers', () => {
  const cases: Array<[string, Lists]> = [
    ['99213-25 with 20610', { cpt: ['99213', '20610'], modifiers: ['25'] }],
    ['27130-LT-22 revision', { cpt: ['27130'], modifiers: ['LT', '22'] }],
    ['97110GP glued', { cpt: ['97110'], modifiers: ['GP'] }],
    ['is -25 needed?', { modifiers: ['25'] }],
    ['modifier -50 or modifier 33?', { modifiers: ['50', '33'] }],
    ['do we append 50 here', { modifiers: ['50'] }],
    ['the 59 mod vs XU', { modifiers: ['59', 'XU'] }],
    ['modifiers 25, 59 and XS', { modifiers: ['25', '59', 'XS'] }],
    ['XU vs XS on 36415', { cpt: ['36415'], modifiers: ['XU', 'XS'] }],
    ['bill it with lt', { modifiers: ['LT'] }],
    ['RT/LT on separate lines', { modifiers: ['RT', 'LT'] }],
    ['64721 rt done', { cpt: ['64721'], modifiers: ['RT'] }],
    ['some payers want GT not 95', { modifiers: ['GT', '95'] }],
    ['the LT knee hurts', {}],
    ['pt with lt knee pain and RT shoulder', {}],
    ['POS 02 for telehealth', {}],
    ['our system calls them modifiers 02, 10, 11', {}],
    ['POS 11 and 22, modifier 95', { modifiers: ['95'] }],
    ['E0431 - pt sats 86%', { hcpcs: ['E0431'] }],
    ['with 25 minutes of counseling on 99213', { cpt: ['99213'] }],
    ['76 or 77 on the second 71046?', { cpt: ['71046'], modifiers: ['76', '77'] }],
    ['50/50 split on 99213', { cpt: ['99213'] }],
    ['typo: modifer 59 on 97140', { cpt: ['97140'], modifiers: ['59'] }],
    ['99221 without AI', { cpt: ['99221'], modifiers: ['AI'] }],
    ['planned -> 58 or unplanned -> 78 for 20680', { cpt: ['20680'], modifiers: ['58', '78'] }],
    ['with 25 patients a day we bill 99213', { cpt: ['99213'] }],
    ['S62.101A, RT.', { icd10cm: ['S62.101A'], modifiers: ['RT'] }],
  ];
  it.each(cases)('%s', (body, want) => expectLists(body, want));

  it('records the code a modifier is attached to', () => {
    const hits = extractCodes({ subject: '', body: '27130-LT-22' }).hits.filter((h) => h.system === 'modifier');
    expect(hits.map((h) => [h.code, h.attachedTo])).toEqual([
      ['LT', '27130'],
      ['22', '27130'],
    ]);
  });
});

describe('extractCodes: lists, ranges, families', () => {
  const cases: Array<[string, Lists]> = [
    ['99213/99214', { cpt: ['99213', '99214'] }],
    ['97010-97039 modalities', { cpt: ['97010', '97039'] }],
    ['97010–97039 with an en dash', { cpt: ['97010', '97039'] }],
    ['99202 through 99205', { cpt: ['99202', '99205'] }],
    ['0591T-0593T coaching', { cpt: ['0591T', '0593T'] }],
    ['M54.50-M54.59', { icd10cm: ['M54.50', 'M54.59'] }],
    ['the 9939X family', {}],
    ['O09.- supervision codes', {}],
    ['M54.x anything', {}],
    ['the L codes and a J-code', {}],
  ];
  it.each(cases)('%s', (body, want) => expectLists(body, want));

  it('records both endpoints of a range, never the codes inside', () => {
    const { hits, cpt } = extractCodes({ subject: '', body: 'are 97010 through 97039 timed?' });
    expect(cpt).toEqual(['97010', '97039']);
    expect(hits.map((h) => h.range)).toEqual([
      { from: '97010', to: '97039' },
      { from: '97010', to: '97039' },
    ]);
  });
});

describe('extractCodes: not billing codes', () => {
  const cases: Array<[string, string]> = [
    ['phone extension', 'call 555-867-5309 ext. 20610'],
    ['phone x extension', 'Ph 407-555-0100 x20610'],
    ['ZIP', 'Austin, TX 78701'],
    ['ZIP+4', 'Columbia, MD 21044-3587'],
    ['PO box', 'PO Box 14079'],
    ['street number', '10500 Little Patuxent Pkwy'],
    ['NPI and tax id', 'NPI 1457382910, tax ID 84-1234567'],
    ['ticket', 'ticket #20551 is open'],
    ['invoice', 'invoice A1234'],
    ['claim number', 'claim # 20551'],
    ['member id', 'Member ID W123456789'],
    ['auth', 'Authorization # 44821'],
    ['reference', 'ref 73110'],
    ['dates', 'DOS 01/15/2025 and 2025-01-15'],
    ['years and times', 'in 2025 at 10:30'],
    ['money', 'paid $97.76 and $20610'],
    ['doses', '10000 units heparin, 1000 mcg'],
    ['percent', '12345% growth'],
    ['counts', '15000 claims a year'],
    ['ICD-9', 'ICD-9 V72.6 and V58.69'],
    ['CARC', 'denied CO-97 and PR-204'],
    ['RARC', 'CO-16 N290'],
    ['LCD', 'LCD L33318'],
    ['article', 'article A52465'],
    ['revenue code', 'revenue code 0450'],
    ['NDC', 'NDC 50242-0040-62'],
    ['LOINC', 'LOINC 14647-2'],
    ['spinal levels', 'L4-L5, L5-S1, T9 and T12'],
    ['vitamins', 'B12 and vitamin D3, B6'],
    ['A1c', 'HbA1c and A1c 7.2%'],
    ['words of PCS shape', 'BUNDLED BETWEEN HYALGAN'],
    ['URL', 'see https://example.org/lcd?id=33318 or www.example.org/99213'],
    ['lot number', 'Lot 20610A'],
    ['hardware', 'i386 box, 7200rpm disk, 128MDDR, X11 and Windows XP'],
    ['encoded data', 'M9]/KYY?U\\72F1N*4374:J R[.U]M?KX-%E>_PW8#K614(E9K+_6\\Z7)DR)5'],
    ['ports and mail ids', 'from mx (port 10024) with LMTP id 70060-03'],
    ['not ICD-10-CM tails', 'X89VZ0 and R505MXC'],
    ['units written x12 are not an X code', 'x12 and x2'],
    ['case tag', '[CD-20551]'],
    ['a dash between words is not a hyphenated identifier', 'lac - 12032'.replace('12032', 'repair')],
  ];
  it.each(cases)('%s', (_name, body) => expectLists(body, {}));
});

describe('extractCodes: units and positions', () => {
  const cases: Array<[string, string, number]> = [
    ['97110 x3', '97110', 3],
    ['97110 x 3', '97110', 3],
    ['97530*2', '97530', 2],
    ['J1885x2', 'J1885', 2],
    ['J3301 x 4 units', 'J3301', 4],
    ['88305 x12', '88305', 12],
    ['97110 (3 units)', '97110', 3],
  ];
  it.each(cases)('%s', (body, code, units) => {
    const hit = extractCodes({ subject: '', body }).hits.find((h) => h.code === code);
    expect(hit?.units).toBe(units);
  });

  it('gives field, offsets and the text as written', () => {
    const { hits } = extractCodes({ subject: 'About m5450', body: 'and l-3908' });
    expect(hits.map(({ code, field, start, end, written }) => ({ code, field, start, end, written }))).toEqual([
      { code: 'M54.50', field: 'subject', start: 6, end: 11, written: 'm5450' },
      { code: 'L3908', field: 'body', start: 4, end: 10, written: 'l-3908' },
    ]);
  });

  it('lists subject codes before body codes', () => {
    expect(extractCodes({ subject: 'RE: 99214', body: '99213 instead' }).cpt).toEqual(['99214', '99213']);
  });
});
