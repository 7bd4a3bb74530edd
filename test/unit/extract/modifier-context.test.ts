import { describe, expect, it } from 'vitest';
import { extractCodes } from '../../../src/codes/extract/index.ts';
import { tableCells } from '../../../src/codes/extract/tables.ts';

function modifiers(body: string, subject = ''): string[] {
  return extractCodes({ subject, body }).modifiers;
}

describe('modifiers in claim-line tables', () => {
  it('reads the Mod column of a markdown table, not the units or pointer columns', () => {
    const body = '| Line | CPT | Mod | Units | Ptr |\n|---|---|---|---|---|\n| 1 | 97110 | GP | 3 | A |\n| 2 | 97140 | GP, 59 | 25 | B |';
    expect(modifiers(body)).toEqual(['GP', '59']);
  });

  it('reads space-aligned and tab-separated tables, with empty cells', () => {
    expect(modifiers('CPT    Mod   Units\n99214  25    1\nJ1030        2\n20610  RT    1')).toEqual(['25', 'RT']);
    expect(modifiers('CPT\tMod1\tMod2\tUnits\n64483\tLT\t\t1\n77003\t26\t\t1')).toEqual(['LT', '26']);
  });

  it('settles letter + 4 digits by the column header', () => {
    const got = extractCodes({ subject: '', body: 'CPT\tMod\tUnits\tDx\nJ1040\t\t1\tM54.16\nJ2405\tJZ\t4\tM54.16' });
    expect(got.hcpcs).toEqual(['J1040', 'J2405']);
    expect(got.icd10cm).toEqual(['M54.16']);
  });

  it('finds no table in prose or in a header without a code column', () => {
    expect(tableCells('We billed 99213.  The payer paid.  Mod 25 was fine.')).toEqual([]);
    expect(tableCells('Name    Mod    Units\nJane    25     1')).toEqual([]);
  });
});

describe('anesthesia and physical-status modifiers', () => {
  it('reads AA, AD, QS, G8, G9 and P1-P6 in anesthesia talk', () => {
    expect(modifiers('CRNA billed 00790-QZ, 152 minutes, P3; the MD wants AA.')).toEqual(['QZ', 'P3', 'AA']);
    expect(modifiers('MAC case, severe COPD: G9 or QS? ASA P3.')).toEqual(['G9', 'QS', 'P3']);
  });

  it('leaves the same letters alone outside anesthesia talk', () => {
    expect(modifiers('Priority P1 ticket about the AA meeting and the AD on file, see page P2.')).toEqual([]);
  });
});

describe('modifiers named by context', () => {
  it('reads a modifier spoken of as a thing', () => {
    expect(modifiers('We billed 99213 in office, so the 95 goes away?')).toEqual(['95']);
    expect(modifiers('UHC denied 73721 for missing LT.')).toEqual(['LT']);
    expect(modifiers('Submit the LT and RT codes on separate lines for L3000.')).toEqual(['LT', 'RT']);
    expect(modifiers('then 93 on the line instead of 95 for 99442')).toEqual(['93', '95']);
    expect(modifiers('My understanding: the telehealth POS codes are 02 and 10, and the modifier we add is 95.')).toEqual(['95']);
  });

  it('does not read counts, ages, ordinals or places of service as modifiers', () => {
    expect(modifiers('We saw the 25 patients on the list and the 50 new referrals for 99203.')).toEqual([]);
    expect(modifiers('We have 25 on the schedule today, mostly 99213.')).toEqual([]);
    expect(modifiers('Is the patient 65 or 66? It matters for G0438.')).toEqual([]);
    expect(modifiers('On the 22nd the 50 states rule changed for 99213; POS 02 or 10.')).toEqual([]);
    expect(modifiers('Injection into the LT knee, 20610.')).toEqual([]);
  });
});

describe('counts and wildcards', () => {
  it('a five-digit count before a count noun is not a code', () => {
    const got = extractCodes({ subject: '', body: 'We gave 12350 flu shots and processed 21475 claims; how many 99214 visits is normal?' });
    expect(got.cpt).toEqual(['99214']);
  });

  it('a category with a wildcard dash is not a code, a range still is', () => {
    const got = extractCodes({ subject: '', body: 'The LCD lists M25.56- and O09.- but we used S72.001A; T81.40XA-T81.49XA too.' });
    expect(got.icd10cm).toEqual(['S72.001A', 'T81.40XA', 'T81.49XA']);
  });
});
