/**
 * Claim-line tables pasted into a message: markdown (`| CPT | Mod | Units |`), tab-separated,
 * or columns aligned with spaces (also what an HTML table reads as). The header row names what
 * each column holds, which the extractor uses twice: the cells of a `Mod` column are modifiers
 * (EXTRACTION.md: a modifier attached to a code by the claim line), and a `CPT`/`HCPCS`/`Dx`
 * column settles letter + 4 digits (`J1040` under `CPT` is HCPCS, not ICD-10-CM `J10.40`).
 */

export type ColumnKind = 'modifier' | 'procedure' | 'diagnosis' | 'other';

/** One cell of a data row: offsets into the text, end exclusive, and its column's kind. */
export interface TableCell {
  start: number;
  end: number;
  kind: ColumnKind;
}

const MODIFIER_HEADER = /^(?:mod(?:ifier)?s?|mod\.|mods?\s*#?\s*[1-4]|modifiers?\s*#?\s*[1-4]|m[1-4]|mod\(s\)|modifier\(s\)|mod\/units?)$/i;
const PROCEDURE_HEADER = /^(?:cpt|hcpcs|cpt\s*\/\s*hcpcs|hcpcs\s*\/\s*cpt|cpt\s*code|cpt\/hcpcs\s*code|proc(?:edure)?(?:\s*code)?|px|code|svc|service(?:\s*code)?|charge\s*code)$/i;
const DIAGNOSIS_HEADER = /^(?:dx(?:\s*\d)?|icd(?:-?10)?(?:-?cm)?|diag(?:nosis)?(?:\s*codes?)?|icd-10\s*codes?|dx\s*codes?)$/i;
/** Words a header cell may be made of: short labels, no sentence punctuation. */
const HEADER_CELL = /^[A-Za-z][A-Za-z0-9 ./#()&-]{0,23}$/;
const SEPARATOR_ROW = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;

interface Column {
  kind: ColumnKind;
  /** For space-aligned tables: the column's start offset within the line. */
  at: number;
}

interface Layout {
  mode: 'pipe' | 'tab' | 'space';
  columns: Column[];
}

/** Every data cell of every claim-line table in `text`, in text order. */
export function tableCells(text: string): TableCell[] {
  const out: TableCell[] = [];
  // Only lines with a procedure column word between cell separators can be headers: jump from
  // one such word to the next, and read the rows under each header.
  HEADER_WORD.lastIndex = 0;
  for (let g = HEADER_WORD.exec(text); g; g = HEADER_WORD.exec(text)) {
    if (!startsCell(text, g.index)) continue;
    let lineStart = text.lastIndexOf('\n', g.index - 1) + 1;
    let nl = text.indexOf('\n', g.index);
    const layout = headerLayout(lineOf(text, lineStart, nl));
    if (layout) {
      while (nl >= 0) {
        lineStart = nl + 1;
        nl = text.indexOf('\n', lineStart);
        const line = lineOf(text, lineStart, nl);
        if (line.trim() === '' || (layout.mode === 'pipe' && !line.includes('|'))) break;
        if (!SEPARATOR_ROW.test(line)) out.push(...rowCells(line, lineStart, layout));
      }
    }
    HEADER_WORD.lastIndex = nl < 0 ? text.length : nl;
  }
  return out;
}

/** Words that start a procedure column's header (`CPT`, `HCPCS`, `Proc`, `Code`…). */
const HEADER_WORD = /cpt|hcpcs|proc|code|px|svc|service|charge/gi;

/** Whether a header word at `at` starts a cell: after a line start, pipe, tab or two blanks. */
function startsCell(text: string, at: number): boolean {
  let i = at - 1;
  let blanks = 0;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) {
    if (text.charCodeAt(i) === 9) return true;
    blanks++;
    i--;
  }
  if (i < 0) return true;
  const c = text.charCodeAt(i);
  return c === 10 || c === 13 || c === 124 /* | */ || blanks >= 2;
}

/** The line from `start` to `nl` (or the end), without a trailing CR. */
function lineOf(text: string, start: number, nl: number): string {
  const line = text.slice(start, nl < 0 ? text.length : nl);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The layout a header line gives, or null when the line is not a claim-line table header. */
function headerLayout(line: string): Layout | null {
  const mode = layoutMode(line);
  if (!mode) return null;
  const cells = splitCells(line, mode);
  if (cells.length < 3) return null;
  const columns: Column[] = [];
  let procedure = false;
  for (const cell of cells) {
    const label = cell.text.trim();
    if (label !== '' && !HEADER_CELL.test(label)) return null;
    const kind = columnKind(label);
    if (kind === 'procedure') procedure = true;
    columns.push({ kind, at: cell.start });
  }
  return procedure ? { mode, columns } : null;
}

/** How a line separates cells: two or more pipes, a tab, or two blanks between words; else null. */
function layoutMode(line: string): Layout['mode'] | null {
  const pipe = line.indexOf('|');
  if (pipe >= 0 && line.indexOf('|', line.indexOf('|', pipe + 1) + 1) > 0 && line.indexOf('|', pipe + 1) > 0) return 'pipe';
  if (line.includes('\t')) return 'tab';
  const spaces = line.indexOf('  ');
  return spaces > 0 && / {2,}\S/.test(line.trimStart()) && line.trim().length > 0 ? 'space' : null;
}

function columnKind(label: string): ColumnKind {
  if (MODIFIER_HEADER.test(label)) return 'modifier';
  if (PROCEDURE_HEADER.test(label)) return 'procedure';
  if (DIAGNOSIS_HEADER.test(label)) return 'diagnosis';
  return 'other';
}

interface RawCell {
  text: string;
  /** Offset within the line. */
  start: number;
}

/**
 * Cells of one line. Pipes and tabs separate cells (empty cells kept, so indices match the
 * header); with spaces, runs of two or more separate cells and a single space stays inside one
 * (`Dx ptr`, `AA P2`).
 */
function splitCells(line: string, mode: Layout['mode']): RawCell[] {
  const cells: RawCell[] = [];
  if (mode === 'space') {
    const re = /\S+(?: \S+)*/g;
    for (let m = re.exec(line); m; m = re.exec(line)) cells.push({ text: m[0], start: m.index });
    return cells;
  }
  const sep = mode === 'pipe' ? '|' : '\t';
  let from = 0;
  const parts = line.split(sep);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // A leading and a trailing pipe frame the row: no cell before or after them.
    const framing = mode === 'pipe' && part.trim() === '' && (i === 0 || i === parts.length - 1);
    if (!framing) cells.push({ text: part, start: from });
    from += part.length + 1;
  }
  return cells;
}

/** The cells of a data row, each with its column's kind. */
function rowCells(line: string, lineStart: number, layout: Layout): TableCell[] {
  const out: TableCell[] = [];
  if (layout.mode === 'space') {
    // Each token belongs to the last column starting at or before it (one column of slack).
    const re = /\S+/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      let kind: ColumnKind = 'other';
      for (const column of layout.columns) if (column.at <= m.index + 1) kind = column.kind;
      out.push({ start: lineStart + m.index, end: lineStart + m.index + m[0].length, kind });
    }
    return out;
  }
  const cells = splitCells(line, layout.mode);
  for (let i = 0; i < cells.length && i < layout.columns.length; i++) {
    const cell = cells[i]!;
    out.push({ start: lineStart + cell.start, end: lineStart + cell.start + cell.text.length, kind: layout.columns[i]!.kind });
  }
  return out;
}

/** The kind of the table column holding offset `at`, or null outside every table. */
export function columnAt(cells: TableCell[], at: number): ColumnKind | null {
  for (const cell of cells) if (cell.start <= at && at < cell.end) return cell.kind;
  return null;
}
