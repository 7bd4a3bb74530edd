import { compile, type FormatCallback } from 'html-to-text';

/**
 * The "new text" of a message body: what the sender wrote in this message, as opposed to the
 * reply history they left under it and their signature. The code extractor reads it, and the
 * parse stage stores it as the question shown in the draft. Rules (EXTRACTION.md, "Which text
 * counts"):
 *
 * - lines starting with `>` (any depth, also between lines of new text) are history;
 * - the `On <date>, <name> wrote:` attribution line (also wrapped over two lines) is history;
 * - everything from an `-----Original Message-----` line, or from an Outlook-style header block
 *   (`From: …` followed within a few lines by `Sent:`/`Date:`) that starts a quoted reply, is
 *   history. An Outlook header block is kept when the message is a forward (a forward marker
 *   came before it, or the subject starts with `FW:`/`Fwd:`): the forward is what is asked about;
 * - forwarded messages (`---------- Forwarded message ---------`, `Begin forwarded message:`)
 *   are kept;
 * - everything after a signature separator line (`-- `, also `--` once trailing white space was
 *   stripped in transit) is the signature.
 *
 * HTML-only mail is turned into visible text first (html-to-text: entities decoded, attribute
 * values, CSS, scripts and link targets dropped, `<blockquote>` rendered as `> ` lines so the
 * same rules apply). Linear in the size of the input; never throws on odd input.
 */
export function extractNewText(input: { text: string; html?: string | null; subject?: string | null }): string {
  const source = input.text && input.text.trim() !== '' ? input.text : input.html ? htmlToVisibleText(input.html) : '';
  return stripHistory(source, isForwardSubject(input.subject ?? ''));
}

/** The cells html-to-text collects for one table, row by row. */
type TableRows = { text: string }[][];

/**
 * A table as readable lines: a data row (two or more one-line cells) reads `99213 | 95`; a layout
 * table (one cell a row, or cells holding blocks) keeps its cells' text as lines. Empty trailing
 * cells and empty rows are left out.
 */
export function tableRowsToText(rows: TableRows): string {
  const lines: string[] = [];
  for (const row of rows) {
    const cells = row.map((c) => c.text.trim());
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    if (cells.length === 0) continue;
    const dataRow = cells.length > 1 && cells.every((c) => !c.includes('\n'));
    lines.push(dataRow ? cells.join(' | ') : cells.filter(Boolean).join('\n'));
  }
  return lines.join('\n');
}

/** html-to-text formatter of `<table>`: cells walked like the built-in data table, laid out by tableRowsToText. */
const pipeTable: FormatCallback = (elem, walk, builder) => {
  builder.openTable();
  const cell = (node: typeof elem) => {
    builder.openTableCell({ maxColumnWidth: 100_000 });
    walk(node.children, builder);
    builder.closeTableCell({ colspan: 1, rowspan: 1 });
  };
  const walkTable = (node: typeof elem): void => {
    if (node.type !== 'tag') return;
    if (['thead', 'tbody', 'tfoot', 'center'].includes(node.name ?? '')) return void node.children.forEach(walkTable);
    if (node.name !== 'tr') return;
    builder.openTableRow();
    for (const child of node.children) if (child.type === 'tag' && (child.name === 'td' || child.name === 'th')) cell(child);
    builder.closeTableRow();
  };
  elem.children.forEach(walkTable);
  builder.closeTable({ tableToString: tableRowsToText, leadingLineBreaks: 1, trailingLineBreaks: 1 });
};

const toText = compile({
  wordwrap: false,
  // Hostile nesting (200,000 `<div>`s) must not overflow the stack: deeper nodes are not read.
  limits: { maxDepth: 400 },
  formatters: { pipeTable },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'pipeTable' },
  ],
});

/** Visible text of an HTML body (no link targets, images, CSS or scripts). */
export function htmlToVisibleText(html: string): string {
  return toText(html).replace(/\u00a0/g, ' ');
}

const FORWARD_SUBJECT = /^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw)\s*:/i;
const FORWARD_MARKER =
  /^\s*(?:-{3,}\s*Forwarded message\s*-{3,}|-{3,}\s*Forwarded Message\s*-{3,}|Begin forwarded message:|-{2,}\s*Weitergeleitete Nachricht\s*-{2,}|-{2,}\s*Message transféré\s*-{2,})\s*$/i;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*Original Message\s*-{2,}\s*$/i;
const QUOTED = /^\s*>/;
const WROTE_ONE_LINE = /^\s*(?:On\s.{0,300}\bwrote|Le\s.{0,300}\ba écrit|Am\s.{0,300}\bschrieb|El\s.{0,300}\bescribió)\s*:\s*$/i;
const WROTE_END = /\b(?:wrote|a écrit|schrieb|escribió)\s*:\s*$/i;
const WROTE_START = /^\s*(?:On|Le|Am|El)\s/;
const SIGNATURE = /^--\s?$/;
const OUTLOOK_RULE = /^\s*_{10,}\s*$/;
const HEADER_FROM = /^\s*\*?(?:From|De|Von|Van)\s*:\*?\s*\S/;
const HEADER_SENT = /^\s*\*?(?:Sent|Date|Envoyé|Gesendet|Enviado)\s*:\*?\s*\S/;

function isForwardSubject(subject: string): boolean {
  return FORWARD_SUBJECT.test(subject);
}

/** True when line i starts an Outlook-style header block: `From:` then `Sent:`/`Date:` soon after. */
function startsHeaderBlock(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i] ?? '')) return false;
  for (let j = i + 1; j <= i + 4 && j < lines.length; j++) {
    if (HEADER_SENT.test(lines[j] ?? '')) return true;
  }
  return false;
}

function stripHistory(text: string, forwardSubject: boolean): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let forwarded = forwardSubject;
  let justSawForwardMarker = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SIGNATURE.test(line)) break;
    if (ORIGINAL_MESSAGE.test(line)) break;
    if (FORWARD_MARKER.test(line)) {
      forwarded = true;
      justSawForwardMarker = true;
      kept.push(line);
      continue;
    }
    if (QUOTED.test(line)) continue;
    if (WROTE_ONE_LINE.test(line)) continue;
    if (WROTE_START.test(line) && !WROTE_END.test(line) && i + 1 < lines.length && WROTE_END.test(lines[i + 1] ?? '') && (line.length + (lines[i + 1]?.length ?? 0)) < 400) {
      i++;
      continue;
    }
    if (OUTLOOK_RULE.test(line) && startsHeaderBlock(lines, nextNonBlank(lines, i + 1))) {
      if (!forwarded) break;
      continue;
    }
    if (startsHeaderBlock(lines, i) && !justSawForwardMarker && !forwarded) break;
    if (line.trim() !== '') justSawForwardMarker = false;
    kept.push(line);
  }
  return kept.join('\n').replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
}

function nextNonBlank(lines: string[], from: number): number {
  let j = from;
  while (j < lines.length && (lines[j] ?? '').trim() === '') j++;
  return j;
}
