import { parseYmd } from '../normalize.ts';
import type { FileLine } from '../line-reader.ts';
import { isBlank, layoutError, type CodeRow, type LineParser, type RowSink } from './parser.ts';

const EXPECTED = 'expected the HCPCS ANWEB fixed-width layout (code 1-5, sequence 6-10, record id 11, long description 12-91, …)';

interface Pending {
  row: CodeRow;
  lineNo: number;
  parts: string[];
  bad?: string;
}

/**
 * The HCPCS Level II ANWEB file (320-character records, layout in HCPCyyyy_recordlayout.txt).
 * Record id `3` starts a procedure code and `7` a modifier (both carry the detail fields);
 * `4` / `8` continue the long description of the record before. A code is emitted once its
 * last continuation is read. Add date (269-276) and termination date (285-292) become the
 * code's own validity dates.
 */
export class HcpcsParser implements LineParser<CodeRow> {
  private pending: Pending | null = null;

  line({ text, lineNo }: FileLine, sink: RowSink<CodeRow>): void {
    if (isBlank(text)) return;
    if (text.length < 12 || !/^[ 0-9]{5}$/.test(text.slice(5, 10))) throw layoutError(lineNo, 'not an HCPCS record', EXPECTED);
    const rid = text[10];
    const rawCode = text.slice(0, 5);
    const long = text.slice(11, 91).trimEnd();
    if (rid === '4' || rid === '8') {
      if (!this.pending || this.pending.row.code !== rawCode.trim()) {
        throw layoutError(lineNo, `continuation record for ${rawCode.trim()} without its first record`, EXPECTED);
      }
      this.pending.parts.push(long.trim());
      return;
    }
    if (rid !== '3' && rid !== '7') throw layoutError(lineNo, `record id "${rid}"`, EXPECTED);
    if (text.length < 293) throw layoutError(lineNo, `record of ${text.length} characters (truncated?)`, EXPECTED);
    this.flush(sink);
    const isModifier = rid === '7';
    const code = rawCode.trim();
    const added = parseYmd(text.slice(268, 276));
    const terminated = parseYmd(text.slice(284, 292));
    let bad: string | undefined;
    if (isModifier ? !/^   [0-9A-Z]{2}$/.test(rawCode) : !/^[A-V][0-9]{4}$/.test(rawCode)) {
      bad = `"${code}" is not an HCPCS ${isModifier ? 'modifier' : 'Level II code'}`;
    } else if (added === undefined || terminated === undefined) bad = `${code}: bad add or termination date`;
    this.pending = {
      lineNo,
      parts: [long.trim()],
      bad,
      row: {
        code,
        kind: isModifier ? 'modifier' : 'code',
        shortDescription: text.slice(91, 119).trim() || null,
        longDescription: '',
        consumerDescription: null,
        validFrom: added ?? null,
        validTo: terminated ?? null,
      },
    };
  }

  finish(sink: RowSink<CodeRow>): void {
    this.flush(sink);
  }

  private flush(sink: RowSink<CodeRow>): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.row.longDescription = p.parts.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
    if (p.bad) return sink.reject(p.lineNo, p.bad);
    if (!p.row.longDescription) return sink.reject(p.lineNo, `${p.row.code}: empty long description`);
    sink.row(p.row, p.lineNo);
  }
}
