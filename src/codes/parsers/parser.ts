import { ValidationError } from '../../shared/errors.ts';
import type { CodeKind } from '../code-entry.entity.ts';
import type { FileLine } from '../line-reader.ts';

/** A code row as parsed from ICD-10-CM, ICD-10-PCS, HCPCS or CPT files. */
export interface CodeRow {
  code: string;
  kind: CodeKind;
  shortDescription: string | null;
  longDescription: string;
  consumerDescription: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface NcciRow {
  column1: string;
  column2: string;
  priorTo1996: boolean;
  effectiveDate: string;
  deletionDate: string | null;
  modifierIndicator: string;
  rationale: string;
}

export interface MueRow {
  code: string;
  value: number;
  adjudicationIndicator: string;
  rationale: string;
}

/** Where a parser puts what it finds. */
export interface RowSink<R> {
  row(row: R, lineNo: number): void;
  /** A line that fits the layout but carries a bad value: skipped and reported. */
  reject(lineNo: number, reason: string): void;
}

/**
 * A streaming parser of one file layout. Structural problems (wrong layout, a truncated line)
 * throw a ValidationError naming the line, which aborts the whole import; bad values in a
 * well-formed line are rejected and reported instead.
 */
export interface LineParser<R> {
  line(line: FileLine, sink: RowSink<R>): void;
  finish(sink: RowSink<R>): void;
}

export function layoutError(lineNo: number, what: string, expected: string): ValidationError {
  return new ValidationError(`line ${lineNo}: ${what}: ${expected}`);
}

/** Blank lines and a lone DOS end-of-file byte carry nothing. */
export function isBlank(text: string): boolean {
  return text.trim() === '' || text === '\x1a';
}

/** Split one CSV line (RFC 4180 quoting, no embedded newlines). */
export function splitCsv(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}
