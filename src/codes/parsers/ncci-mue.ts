import { parseYmd } from '../normalize.ts';
import type { FileLine } from '../line-reader.ts';
import { isBlank, layoutError, splitCsv, type LineParser, type MueRow, type NcciRow, type RowSink } from './parser.ts';

const PROC_CODE = /^[0-9A-Z]{4}[0-9A-Z]$/;
/** Header lines allowed before the first data row (title, copyright notice, column names). */
const MAX_HEADER_LINES = 20;

const NCCI_EXPECTED = 'expected NCCI PTP tab-delimited rows (column 1, column 2, prior-1996, effective, deletion, modifier, rationale)';

/**
 * NCCI PTP practitioner edits as CMS publishes them each quarter (latin-1, CRLF): tab-delimited
 * text, header lines first (the copyright line, a title, the column titles spread over several
 * lines), then column 1, column 2, in-existence-prior-to-1996 flag (`*` or blank), effective
 * date (YYYYMMDD), deletion date (YYYYMMDD or `*` for none), modifier indicator (0/1/9), PTP
 * edit rationale. A key listed twice is kept here; the import keeps the row in force.
 */
export class NcciParser implements LineParser<NcciRow> {
  private started = false;
  private headers = 0;

  /** Whether the header lines are behind (data rows have begun). */
  get inRows(): boolean {
    return this.started;
  }

  line({ text, lineNo }: FileLine, sink: RowSink<NcciRow>): void {
    if (isBlank(text)) return;
    const f = text.split('\t');
    if (!this.started) {
      if (!(f.length >= 6 && PROC_CODE.test(f[0].trim()) && PROC_CODE.test(f[1].trim()) && /^\d{8}$/.test(f[3].trim()))) {
        this.headers += 1;
        if (this.headers > MAX_HEADER_LINES) throw layoutError(lineNo, `no NCCI edit rows in the first ${MAX_HEADER_LINES} lines`, NCCI_EXPECTED);
        return;
      }
      this.started = true;
    }
    if (f.length < 6) throw layoutError(lineNo, `${f.length} tab-separated fields (truncated?)`, NCCI_EXPECTED);
    const column1 = f[0].trim();
    const column2 = f[1].trim();
    const prior = f[2].trim();
    const eff = f[3].trim();
    const del = f[4].trim();
    const mod = f[5].trim();
    const rationale = (f.length === 7 ? f[6] : f.slice(6).join(' ')).trim();
    if (!PROC_CODE.test(column1) || !PROC_CODE.test(column2)) return sink.reject(lineNo, `bad code pair "${column1}" / "${column2}"`);
    const effectiveDate = parseYmd(eff);
    if (!effectiveDate) return sink.reject(lineNo, `bad effective date "${eff}"`);
    const deletionDate = del === '*' || del === '' ? null : parseYmd(del);
    if (deletionDate === undefined) return sink.reject(lineNo, `bad deletion date "${del}"`);
    if (mod !== '0' && mod !== '1' && mod !== '9') return sink.reject(lineNo, `bad modifier indicator "${mod}"`);
    if (prior !== '' && prior !== '*' && prior !== '0' && prior !== '1' && prior !== 'Y' && prior !== 'N') {
      return sink.reject(lineNo, `bad prior-1996 flag "${prior}"`);
    }
    sink.row({ column1, column2, priorTo1996: prior === '*' || prior === '1' || prior === 'Y', effectiveDate, deletionDate, modifierIndicator: mod, rationale }, lineNo);
  }

  finish(): void {
    if (!this.started) throw layoutError(this.headers, 'no NCCI edit rows found', 'empty or not an NCCI PTP file');
  }
}

/**
 * MUE practitioner-services table as CMS publishes it (CSV): a few header lines (copyright,
 * column names), then HCPCS/CPT code, MUE value, adjudication indicator (`1 Line Edit`,
 * `2 Date of Service Edit: Policy`, `3 Date of Service Edit: Clinical`, or the bare digit),
 * MUE rationale.
 */
export class MueParser implements LineParser<MueRow> {
  private started = false;
  private headers = 0;

  line({ text, lineNo }: FileLine, sink: RowSink<MueRow>): void {
    if (isBlank(text)) return;
    const f = splitCsv(text);
    const expected = 'expected MUE CSV rows (code, MUE value, adjudication indicator, rationale)';
    if (!this.started) {
      if (!(f.length >= 3 && PROC_CODE.test(f[0]) && /^\d+$/.test(f[1]))) {
        this.headers += 1;
        if (this.headers > MAX_HEADER_LINES) throw layoutError(lineNo, `no MUE rows in the first ${MAX_HEADER_LINES} lines`, expected);
        return;
      }
      this.started = true;
    }
    if (f.length < 3) throw layoutError(lineNo, `${f.length} comma-separated fields (truncated?)`, expected);
    const [code, value, indicator] = f;
    const rationale = f.slice(3).join(', ').trim();
    if (!PROC_CODE.test(code)) return sink.reject(lineNo, `"${code}" is not a HCPCS/CPT code`);
    if (!/^\d+$/.test(value)) return sink.reject(lineNo, `${code}: MUE value "${value}" is not a whole number`);
    const mai = /^([123])\b/.exec(indicator);
    if (!mai) return sink.reject(lineNo, `${code}: bad adjudication indicator "${indicator}"`);
    sink.row({ code, value: Number(value), adjudicationIndicator: mai[1], rationale }, lineNo);
  }

  finish(): void {
    if (!this.started) throw layoutError(this.headers, 'no MUE rows found', 'empty or not an MUE table');
  }
}
