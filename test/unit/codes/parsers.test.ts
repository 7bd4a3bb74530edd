import { describe, expect, it } from 'vitest';
import type { FileLine } from '../../../src/codes/line-reader.ts';
import { CptParser } from '../../../src/codes/parsers/cpt.ts';
import { HcpcsParser } from '../../../src/codes/parsers/hcpcs.ts';
import { CodesFileParser, detectIcd10cmLayout, Icd10cmOrderParser } from '../../../src/codes/parsers/icd10.ts';
import { MueParser, NcciParser } from '../../../src/codes/parsers/ncci-mue.ts';
import type { LineParser } from '../../../src/codes/parsers/parser.ts';
import { splitCsv } from '../../../src/codes/parsers/parser.ts';

function run<R>(parser: LineParser<R>, lines: string[]) {
  const rows: R[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const sink = { row: (r: R) => rows.push(r), reject: (line: number, reason: string) => rejected.push({ line, reason }) };
  lines.forEach((text, i) => parser.line({ text, lineNo: i + 1, bytesRead: 0 } satisfies FileLine, sink));
  parser.finish(sink);
  return { rows, rejected };
}

const pad = (s: string, n: number) => s.padEnd(n, ' ');
/** An HCPCS ANWEB record per the 2025 layout: code 1-5, seq 6-10, rid 11, long 12-91, short 92-119, dates 269-292, action 293. */
function hcpcsRecord(code: string, seq: string, rid: string, long: string, short = '', added = '', term = ''): string {
  const head = pad(code, 5) + seq + rid + pad(long, 80) + pad(short, 28);
  return pad(pad(head, 268) + pad(added, 8) + pad(added, 8) + pad(term, 8) + (rid === '3' || rid === '7' ? 'N' : ' '), 320);
}

describe('ICD-10-CM parsers', () => {
  const order = (n: string, code: string, flag: string, short: string, long: string) => `${n} ${pad(code, 7)} ${flag} ${pad(short, 60)} ${long}`;

  it('reads order-file rows as billable codes and headers', () => {
    const { rows } = run(new Icd10cmOrderParser(), [order('19881', 'M545', '0', 'Low back pain', 'Low back pain'), order('19882', 'M5450', '1', 'Low back pain, unspecified', 'Low back pain, unspecified')]);
    expect(rows.map((r) => [r.code, r.kind, r.shortDescription])).toEqual([['M545', 'header', 'Low back pain'], ['M5450', 'code', 'Low back pain, unspecified']]);
  });

  it('stops on a short line and on a bad flag, naming the line', () => {
    expect(() => run(new Icd10cmOrderParser(), [order('00001', 'A00', '0', 'Cholera', 'Cholera'), '00002 A000    1 Chol'])).toThrow(/^line 2: line too short/);
    expect(() => run(new Icd10cmOrderParser(), [order('00001', 'A00', '2', 'Cholera', 'Cholera')])).toThrow(/^line 1: header\/billable flag is "2"/);
  });

  it('rejects a malformed code but keeps going', () => {
    const { rows, rejected } = run(new Icd10cmOrderParser(), [order('00001', 'A0!', '0', 'x', 'x'), order('00002', 'A000', '1', 'y', 'y')]);
    expect(rows).toHaveLength(1);
    expect(rejected).toEqual([{ line: 1, reason: '"A0!" is not an ICD-10-CM code' }]);
  });

  it('detects the layout and reads codes files, FY2026 QA0 codes included', () => {
    expect(detectIcd10cmLayout('00001 A00     0 Cholera')).toBe('order');
    expect(detectIcd10cmLayout('A000    Cholera due to Vibrio cholerae 01, biovar cholerae')).toBe('codes');
    const { rows } = run(new CodesFileParser('icd10cm'), ['A000    Cholera due to Vibrio cholerae 01, biovar cholerae', 'QA00101 SCN2A-related neurodevelopmental disorder', '']);
    expect(rows.map((r) => [r.code, r.kind, r.longDescription])).toEqual([['A000', 'code', 'Cholera due to Vibrio cholerae 01, biovar cholerae'], ['QA00101', 'code', 'SCN2A-related neurodevelopmental disorder']]);
    expect(() => run(new CodesFileParser('icd10cm'), ['00001 A00     0 Cholera  Cholera'])).toThrow(/looks like an order file line/);
    expect(run(new CodesFileParser('icd10pcs'), ['0016070 Bypass', 'A000    Cholera']).rejected).toEqual([{ line: 2, reason: '"A000" is not an ICD-10-PCS code' }]);
  });
});

describe('HCPCS ANWEB parser', () => {
  it('joins long descriptions continued over several records and reads dates', () => {
    const { rows } = run(new HcpcsParser(), [
      hcpcsRecord('L3908', '00100', '3', 'Wrist hand orthosis, wrist extension control cock-up, non molded,', 'Who cock-up nonmolde pre ots', '19860101'),
      hcpcsRecord('L3908', '00200', '4', 'prefabricated, off-the-shelf'),
      hcpcsRecord('   LT', '00100', '7', 'Left side (used to identify procedures performed on the left side of the body)', 'Left side', '19840101'),
      hcpcsRecord('A9999', '00100', '3', 'Ended thing', 'Ended', '20000101', '20231231'),
      '\x1a',
    ]);
    expect(rows).toEqual([
      { code: 'L3908', kind: 'code', shortDescription: 'Who cock-up nonmolde pre ots', longDescription: 'Wrist hand orthosis, wrist extension control cock-up, non molded, prefabricated, off-the-shelf', consumerDescription: null, validFrom: '1986-01-01', validTo: null },
      { code: 'LT', kind: 'modifier', shortDescription: 'Left side', longDescription: 'Left side (used to identify procedures performed on the left side of the body)', consumerDescription: null, validFrom: '1984-01-01', validTo: null },
      { code: 'A9999', kind: 'code', shortDescription: 'Ended', longDescription: 'Ended thing', consumerDescription: null, validFrom: '2000-01-01', validTo: '2023-12-31' },
    ]);
  });

  it('stops on an orphan continuation, an unknown record id or a truncated record', () => {
    expect(() => run(new HcpcsParser(), [hcpcsRecord('L3908', '00200', '4', 'x')])).toThrow(/^line 1: continuation record for L3908 without its first record/);
    expect(() => run(new HcpcsParser(), [hcpcsRecord('L3908', '00100', '5', 'x')])).toThrow(/^line 1: record id "5"/);
    expect(() => run(new HcpcsParser(), [hcpcsRecord('L3908', '00100', '3', 'x').slice(0, 200)])).toThrow(/^line 1: record of 200 characters \(truncated\?\)/);
  });

  it('rejects bad dates with the line of the first record', () => {
    const { rejected } = run(new HcpcsParser(), [hcpcsRecord('L3908', '00100', '3', 'x', 'x', '20251399')]);
    expect(rejected).toEqual([{ line: 1, reason: 'L3908: bad add or termination date' }]);
  });
});

describe('NCCI, MUE and CPT parsers', () => {
  it('reads the real PTP layout: copyright line, title, column titles over several lines, keys listed twice kept for the import', () => {
    const { rows, rejected } = run(new NcciParser(), [
      'CPT\u00ae only copyright 2025 American Medical Association. All rights reserved.', '', 'Column1/Column 2 Edits',
      'Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale', '\t\tprior\tDate\tDate\t0=not allowed\t',
      '\t\tto 1996\t\t*=no data\t1=allowed\t', '\t\t\t\t\t9=not applicable\t', '',
      '97140\t97530\t\t20200101\t20200101\t9\tMutually exclusive procedures', '97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures',
    ]);
    expect(rejected).toEqual([]);
    expect(rows.map((r) => [r.deletionDate, r.modifierIndicator])).toEqual([['2020-01-01', '9'], [null, '1']]);
  });

  it('reads the MUE CSV with its quoted adjudication indicator column', () => {
    const { rows } = run(new MueParser(), [
      '"CPT codes, descriptions and other data only are copyright 2025 American Medical Association. All Rights Reserved."',
      'HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale',
      '97110,6,"3 Date of Service Edit: Clinical",Clinical: Data', 'G0283,0,"2 Date of Service Edit: Policy",Code Descriptor / CPT Instruction',
    ]);
    expect(rows.map((r) => [r.code, r.value, r.adjudicationIndicator, r.rationale])).toEqual([['97110', 6, '3', 'Clinical: Data'], ['G0283', 0, '2', 'Code Descriptor / CPT Instruction']]);
  });

  it('skips NCCI header lines and maps `*` to no deletion date', () => {
    const { rows } = run(new NcciParser(), ['Column 1\tColumn 2\t*=in existence prior to 1996', '97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures', '36415\t36416\t*\t19960101\t20250401\t0\tMisuse']);
    expect(rows).toEqual([
      { column1: '97140', column2: '97530', priorTo1996: false, effectiveDate: '2020-01-01', deletionDate: null, modifierIndicator: '1', rationale: 'Mutually exclusive procedures' },
      { column1: '36415', column2: '36416', priorTo1996: true, effectiveDate: '1996-01-01', deletionDate: '2025-04-01', modifierIndicator: '0', rationale: 'Misuse' },
    ]);
  });

  it('rejects bad NCCI values and stops on a wrong layout', () => {
    const { rejected } = run(new NcciParser(), ['97140\t97530\t\t20200101\t*\t1\tx', '97140\t97110\t\t20201301\t*\t1\tx', '97140\t97111\t\t20200101\t2019\t1\tx']);
    expect(rejected).toEqual([{ line: 2, reason: 'bad effective date "20201301"' }, { line: 3, reason: 'bad deletion date "2019"' }]);
    expect(() => run(new NcciParser(), ['just a text file'])).toThrow(/no NCCI edit rows found/);
  });

  it('reads MUE rows with CMS indicator text and quoted rationales', () => {
    const { rows } = run(new MueParser(), ['HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale', '36415,1,2 Date of Service Edit: Policy,"Nature of Service/Procedure, single"', '20610,2,1,Anatomic Consideration']);
    expect(rows).toEqual([
      { code: '36415', value: 1, adjudicationIndicator: '2', rationale: 'Nature of Service/Procedure, single' },
      { code: '20610', value: 2, adjudicationIndicator: '1', rationale: 'Anatomic Consideration' },
    ]);
  });

  it('reads CPT licensee rows (tab or comma), modifiers included', () => {
    const tab = run(new CptParser(), ['code\tshort\tlong\tconsumer', '99213\tS\tL\tC', '25\tM\tML\t']);
    expect(tab.rows.map((r) => [r.code, r.kind, r.consumerDescription])).toEqual([['99213', 'code', 'C'], ['25', 'modifier', null]]);
    const comma = run(new CptParser(), ['0275T,S,"Long, with comma"']);
    expect(comma.rows[0]).toMatchObject({ code: '0275T', longDescription: 'Long, with comma' });
    expect(() => run(new CptParser(), ['99213\tonly two'])).toThrow(/^line 1: 2 fields/);
  });

  it('splits CSV with quotes', () => {
    expect(splitCsv('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });
});
