import type { FileLine } from '../line-reader.ts';
import { isBlank, layoutError, type CodeRow, type LineParser, type RowSink } from './parser.ts';

/** Letter, alphanumeric (a digit except the FY2026 `QA0` category), alphanumeric, up to 4 more. */
const ICD10CM_CODE = /^[A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}$/;
const ICD10PCS_CODE = /^[0-9A-HJ-NP-Z]{7}$/;
const ORDER_LINE = /^\d{5} [A-Z0-9]/;

/** ICD-10-CM layouts: the order file has an order number in columns 1-5. */
export function detectIcd10cmLayout(firstLine: string): 'order' | 'codes' {
  return ORDER_LINE.test(firstLine) ? 'order' : 'codes';
}

function row(code: string, kind: CodeRow['kind'], short: string | null, long: string): CodeRow {
  return { code, kind, shortDescription: short, longDescription: long, consumerDescription: null, validFrom: null, validTo: null };
}

/**
 * ICD-10-CM order file (CMS "Code Descriptions in Tabular Order"): order number cols 1-5, code
 * cols 7-13 (undotted, left-justified), flag col 15 (`1` valid for HIPAA transactions, `0`
 * header), short description cols 17-76, long description from col 78.
 */
export class Icd10cmOrderParser implements LineParser<CodeRow> {
  line({ text, lineNo }: FileLine, sink: RowSink<CodeRow>): void {
    if (isBlank(text)) return;
    const expected = 'expected the ICD-10-CM order layout (order no. 1-5, code 7-13, flag 15, short 17-76, long 78-)';
    if (text.length < 78 || !/^\d{5}$/.test(text.slice(0, 5)) || text[5] !== ' ' || text[13] !== ' ' || text[15] !== ' ' || text[76] !== ' ') {
      throw layoutError(lineNo, text.length < 78 ? 'line too short (truncated?)' : 'not an order-file line', expected);
    }
    const flag = text[14];
    if (flag !== '0' && flag !== '1') throw layoutError(lineNo, `header/billable flag is "${flag}"`, expected);
    const code = text.slice(6, 13).trim();
    const short = text.slice(16, 76).trim();
    const long = text.slice(77).trim();
    if (!ICD10CM_CODE.test(code)) return sink.reject(lineNo, `"${code}" is not an ICD-10-CM code`);
    if (!long) return sink.reject(lineNo, `${code}: empty long description`);
    sink.row(row(code, flag === '1' ? 'code' : 'header', short || null, long), lineNo);
  }

  finish(): void {}
}

/**
 * The ICD-10-CM codes file (billable codes only: code padded to 7, a space, the long
 * description) and the ICD-10-PCS codes file (same layout, 7-character codes).
 */
export class CodesFileParser implements LineParser<CodeRow> {
  constructor(private readonly system: 'icd10cm' | 'icd10pcs') {}

  line({ text, lineNo }: FileLine, sink: RowSink<CodeRow>): void {
    if (isBlank(text)) return;
    const m = /^(\S{1,8})\s+(\S.*)$/.exec(text);
    const expected = 'expected a codes file (code in columns 1-7, a space, the description)';
    if (!m) throw layoutError(lineNo, 'not a code and description', expected);
    if (ORDER_LINE.test(text) && this.system === 'icd10cm') throw layoutError(lineNo, 'looks like an order file line', expected);
    const code = m[1];
    const pattern = this.system === 'icd10cm' ? ICD10CM_CODE : ICD10PCS_CODE;
    if (!pattern.test(code)) return sink.reject(lineNo, `"${code}" is not an ${this.system === 'icd10cm' ? 'ICD-10-CM' : 'ICD-10-PCS'} code`);
    sink.row(row(code, 'code', null, m[2].trim()), lineNo);
  }

  finish(): void {}
}
