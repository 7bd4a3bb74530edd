/** One header field of a raw message, top-down order: lower-case name, value unfolded. */
export interface HeaderField {
  name: string;
  value: string;
}

/** Largest header block read (a real one is a few KiB; hostile ones are capped, not rejected). */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Most header fields read. */
export const MAX_HEADER_FIELDS = 2000;

/**
 * The header fields of a raw RFC 5322 message, in order from the top (the most recent hop's
 * trace fields first). Reads up to the first empty line, at most MAX_HEADER_BYTES and
 * MAX_HEADER_FIELDS; folded lines are joined; lines that are not fields are skipped; an mbox
 * `From ` line at the start is ignored. Never throws.
 */
export function readHeaderFields(raw: Buffer | string): { fields: HeaderField[]; truncated: boolean } {
  const head = (typeof raw === 'string' ? raw.slice(0, MAX_HEADER_BYTES) : raw.subarray(0, MAX_HEADER_BYTES).toString('utf8')).replace(/^From [^\r\n:]*\r?\n/, '');
  const blank = /\r?\n\r?\n/.exec(head);
  const block = blank ? head.slice(0, blank.index) : head;
  const fields: HeaderField[] = [];
  let truncated = !blank && head.length >= MAX_HEADER_BYTES - 4;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      const last = fields[fields.length - 1];
      if (last) last.value += ` ${line.trim()}`;
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    if (fields.length >= MAX_HEADER_FIELDS) {
      truncated = true;
      break;
    }
    fields.push({ name: m[1]!.toLowerCase(), value: m[2]!.trim() });
  }
  return { fields, truncated };
}
