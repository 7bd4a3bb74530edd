import type { FileLine } from '../line-reader.ts';
import { isBlank, layoutError, splitCsv, type CodeRow, type LineParser, type RowSink } from './parser.ts';

const CPT_CODE = /^[0-9]{4}[0-9FTU]$/;
const CPT_MODIFIER = /^[0-9]{2}$/;

/**
 * CaseDesk's documented CPT licensee format: UTF-8 text, one code per line, tab- or
 * comma-separated (decided by the first line), fields `code, short descriptor, long
 * descriptor[, consumer descriptor]`. An optional first line starting with `code` names the
 * columns. Two-digit codes are CPT modifiers.
 */
export class CptParser implements LineParser<CodeRow> {
  private separator: 'tab' | 'comma' | null = null;

  line({ text, lineNo }: FileLine, sink: RowSink<CodeRow>): void {
    if (isBlank(text)) return;
    if (this.separator === null) {
      this.separator = text.includes('\t') ? 'tab' : 'comma';
      if (/^"?code"?\b/i.test(text)) return;
    }
    const f = this.separator === 'tab' ? text.split('\t').map((s) => s.trim()) : splitCsv(text);
    if (f.length < 3) {
      throw layoutError(lineNo, `${f.length} fields`, 'expected CPT rows: code, short descriptor, long descriptor[, consumer descriptor]');
    }
    const [code, short, long, consumer] = f;
    const kind = CPT_MODIFIER.test(code) ? 'modifier' : 'code';
    if (kind === 'code' && !CPT_CODE.test(code)) return sink.reject(lineNo, `"${code}" is not a CPT code`);
    if (!long && !short) return sink.reject(lineNo, `${code}: no descriptor`);
    sink.row({ code, kind, shortDescription: short || null, longDescription: long || short, consumerDescription: consumer || null, validFrom: null, validTo: null }, lineNo);
  }

  finish(): void {}
}
