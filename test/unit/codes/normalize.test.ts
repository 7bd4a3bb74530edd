import { describe, expect, it } from 'vitest';
import { prefixUpperBound } from '../../../src/codes/code-range.ts';
import { candidateSystems, compactCode, dayBefore, dotIcd10cm, isIsoDate, parseYmd } from '../../../src/codes/normalize.ts';
import { defaultsFromFileName, partOf, resolveReleaseIdentity } from '../../../src/codes/release-defaults.ts';
import { releaseInForce, type ReleaseRow } from '../../../src/codes/releases.ts';

describe('code forms', () => {
  it.each([
    ['M54.5', ['icd10cm']],
    ['m5450', ['hcpcs', 'icd10cm']],
    ['L3908', ['hcpcs', 'icd10cm']],
    ['99213', ['cpt']],
    ['0275T', ['cpt']],
    ['25', ['modifier']],
    ['-LT', ['modifier']],
    ['0DTJ4ZZ', ['icd10pcs']],
    ['S52501A', ['icd10cm', 'icd10pcs']],
    ['QA0.0101', ['icd10cm']],
    ['hello', []],
    ['M5.45', []],
  ])('%s may be %j', (input, systems) => {
    expect(candidateSystems(input)).toEqual(systems);
  });

  it('normalises and dots ICD-10-CM codes', () => {
    expect(compactCode(' s52.501a ')).toBe('S52501A');
    expect(dotIcd10cm('S52501A')).toBe('S52.501A');
    expect(dotIcd10cm('A00')).toBe('A00');
  });

  it('parses dates', () => {
    expect(parseYmd('20250101')).toBe('2025-01-01');
    expect(parseYmd('        ')).toBeNull();
    expect(parseYmd('20250230')).toBeUndefined();
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(dayBefore('2025-10-01')).toBe('2025-09-30');
  });

  it('bounds an alphanumeric prefix range', () => {
    expect(prefixUpperBound('M545')).toBe('M546');
    expect(prefixUpperBound('M549')).toBe('M54A');
    expect(prefixUpperBound('M54Z')).toBe('M55');
  });
});

describe('release identity', () => {
  it.each([
    ['icd10cm', 'icd10cm_order_2025.txt', { version: 'FY2025', effective: '2024-10-01' }],
    ['icd10cm', 'icd10cm-codes-2026.txt', { version: 'FY2026', effective: '2025-10-01' }],
    ['icd10pcs', 'icd10pcs-codes-2026.txt.gz', { version: 'FY2026', effective: '2025-10-01' }],
    ['hcpcs', 'HCPC2025_JAN_ANWEB_12172024.txt', { version: '2025-01', effective: '2025-01-01' }],
    ['hcpcs', 'HCPC2025_APR_ANWEB.txt', { version: '2025-04', effective: '2025-04-01' }],
    ['mue', 'MCR_MUE_PractitionerServices_Eff_01-01-2026.csv', { version: '2026Q1', effective: '2026-01-01' }],
    ['mue', 'MCR_MUE_PractitionerServices_Eff_10-01-2025.csv', { version: '2025Q4', effective: '2025-10-01' }],
    ['mue', 'MCR_MUE_PractitionerServices_Eff_02-15-2026.csv', { version: '2026-02-15', effective: '2026-02-15' }],
    ['mue', 'MCR_MUE_PractitionerServices_Eff_2025-01-01.csv', { version: '2025Q1', effective: '2025-01-01' }],
    ['mue', 'MCR_MUE_PractitionerServices_Eff_02-30-2026.csv', {}],
    ['ncci', 'ccipra-v321r0-f1.txt', { version: '2026Q2', effective: '2026-04-01' }],
    ['ncci', 'ccipra-v320r0-f4.txt', { version: '2026Q1', effective: '2026-01-01' }],
    ['ncci', 'ccipra-v303r0-f2.TXT', { version: '2024Q4', effective: '2024-10-01' }],
    ['ncci', 'ccipra-v311r1-f1.txt', { version: '2025Q2r1', effective: '2025-04-01' }],
    ['ncci', 'ccioph-v321r0-f1.txt', { version: '2026Q2', effective: '2026-04-01' }],
    ['ncci', 'ncci-ptp-2025Q2.txt', { version: '2025Q2', effective: '2025-04-01' }],
    ['cpt', 'cpt-2025.txt', { version: '2025', effective: '2025-01-01' }],
  ] as const)('%s %s', (system, name, expected) => {
    expect(defaultsFromFileName(system, `/x/${name}`)).toEqual(expected);
  });

  it('reads the parts of a CMS release from their names', () => {
    expect(partOf('/x/ccipra-v321r0-f3.txt')).toEqual({ series: 'ccipra-v321r0', part: 3 });
    expect(partOf('ncci.txt')).toBeUndefined();
    expect(resolveReleaseIdentity('ncci', ['ccipra-v321r0-f1.txt', 'ccipra-v321r0-f2.txt'])).toEqual({ version: '2026Q2', effective: '2026-04-01' });
    expect(() => resolveReleaseIdentity('ncci', ['ccipra-v321r0-f1.txt', 'ccipra-v320r0-f2.txt'])).toThrow(/name different releases/);
  });

  it('needs an effective date the name does not give, and checks it', () => {
    expect(() => resolveReleaseIdentity('ncci', 'edits.txt')).toThrow(/--effective YYYY-MM-DD is required/);
    expect(() => resolveReleaseIdentity('ncci', 'edits.txt', undefined, '2025-02-30')).toThrow(/not a date/);
    expect(resolveReleaseIdentity('ncci', 'edits.txt', 'Q1', '2025-01-01')).toEqual({ version: 'Q1', effective: '2025-01-01' });
  });
});

describe('release in force', () => {
  const r = (id: number, layout: string, effectiveDate: string): ReleaseRow => ({ id, system: 'icd10cm', layout, version: `v${id}`, effectiveDate, checksum: `c${id}`, sourceFile: `f${id}` });
  const releases = [r(1, 'order', '2024-10-01'), r(2, 'codes', '2024-10-01'), r(3, 'codes', '2025-10-01')];

  it('is the latest effective on or before the date, an order file winning a tie', () => {
    expect(releaseInForce(releases, 'icd10cm', '2024-09-30')).toBeUndefined();
    expect(releaseInForce(releases, 'icd10cm', '2024-10-01')?.id).toBe(1);
    expect(releaseInForce(releases, 'icd10cm', '2025-09-30')?.id).toBe(1);
    expect(releaseInForce(releases, 'icd10cm', '2025-10-01')?.id).toBe(3);
    expect(releaseInForce(releases, 'hcpcs', '2025-10-01')).toBeUndefined();
  });
});
