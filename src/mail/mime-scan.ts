import libmime from 'libmime';

/** Limits the pre-scan enforces before any full parser sees the bytes. */
export interface ScanLimits {
  maxDepth: number;
  maxParts: number;
  /** Largest header block of any entity (top-level or part), in bytes. */
  maxHeaderBytes: number;
}

/** One MIME entity found by the scan, with byte offsets into the raw message. */
export interface ScannedPart {
  contentType: string;
  contentTypeHeader: string;
  disposition: string | null;
  filename: string | null;
  charset: string | null;
  transferEncoding: string;
  depth: number;
  headerStart: number;
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  /** Raw (still encoded) header block of this entity, unfolded lines kept. */
  rawHeaders: string;
}

export type ScanResult =
  | { ok: true; parts: ScannedPart[] }
  | { ok: false; code: 'too-deep' | 'too-many-parts' | 'header-too-large'; reason: string };

interface Frame {
  part: ScannedPart;
  /** `--boundary` as latin1, when this entity is a multipart that has not seen its closing line. */
  delimiter: string | null;
}

class ScanLimitError extends Error {
  constructor(readonly code: 'too-deep' | 'too-many-parts' | 'header-too-large', message: string) {
    super(message);
  }
}

// A header field line: a name of printable ASCII without colon or space, then a colon.
const HEADER_FIELD = /^[!-9;-~]+[ \t]*:/;
const PARAM_LINE = /^[A-Za-z0-9*_-]+\s*=/;

/**
 * Walk the raw bytes of a message once, line by line, and list its MIME entities (depth-first,
 * the same order as `ParsedMessage.parts`) without decoding any body. This is the cheap pre-scan
 * that runs before mailparser: it stops as soon as a limit is crossed, so a message nested
 * 1,000 deep or holding 100,000 parts costs one linear pass and never reaches the full parser.
 *
 * Rules (lenient like real parsers, strict about limits):
 * - a header block ends at the first empty line, or at the first line that is neither a header
 *   field nor a folded continuation (a missing separator), or at an enclosing boundary line;
 * - a multipart's children start at each `--boundary` line and end at the next one of the same
 *   or of any enclosing multipart (an unclosed inner multipart ends with its parent's part);
 * - a `message/rfc822` (or `message/global`) part that is not base64/quoted-printable encoded
 *   holds a whole message, scanned as a child entity one level deeper;
 * - depth counts entities: the top-level message is 0, its parts are 1, and so on.
 */
export function scanMime(raw: Buffer, limits: ScanLimits): ScanResult {
  try {
    return { ok: true, parts: walk(raw, limits) };
  } catch (err) {
    if (err instanceof ScanLimitError) return { ok: false, code: err.code, reason: err.message };
    throw err;
  }
}

function walk(raw: Buffer, limits: ScanLimits): ScannedPart[] {
  return new MimeWalker(raw, limits).run();
}

/** The scan's state machine: one pass over the lines, header mode or body mode per entity. */
class MimeWalker {
  private readonly parts: ScannedPart[] = [];
  /** Entities whose header block has ended, outermost first; multiparts carry their delimiter. */
  private readonly stack: Frame[] = [];
  private inHeaders = true;
  private headerLines: string[] = [];
  private headerBytes = 0;
  private current: ScannedPart;

  constructor(private readonly raw: Buffer, private readonly limits: ScanLimits) {
    this.current = this.openEntity(0, 0);
  }

  run(): ScannedPart[] {
    const { raw } = this;
    let pos = 0;
    for (;;) {
      let nl = raw.indexOf(0x0a, pos);
      if (nl === -1) nl = raw.length;
      const next = nl + 1;
      const lineEnd = nl > pos && raw[nl - 1] === 0x0d ? nl - 1 : nl;
      const hit = raw[pos] === 0x2d && raw[pos + 1] === 0x2d ? matchDelimiter(raw, pos, lineEnd, this.stack) : null;
      if (hit) this.onDelimiter(hit.index, hit.closing, pos, next);
      else if (this.inHeaders) this.onHeaderLine(pos, lineEnd, next);
      if (nl >= raw.length) break;
      pos = next;
    }
    if (this.inHeaders) this.endHeaders(raw.length, raw.length);
    return this.parts;
  }

  private openEntity(depth: number, start: number): ScannedPart {
    const { limits } = this;
    if (depth > limits.maxDepth) {
      throw new ScanLimitError('too-deep', `MIME nesting is deeper than the ${limits.maxDepth}-level limit`);
    }
    if (this.parts.length + 1 > limits.maxParts) {
      throw new ScanLimitError('too-many-parts', `message has more than the ${limits.maxParts}-part limit`);
    }
    const part: ScannedPart = {
      contentType: 'text/plain', contentTypeHeader: '', disposition: null, filename: null, charset: null,
      transferEncoding: '7bit', depth, headerStart: start, headerEnd: start, bodyStart: start, bodyEnd: this.raw.length,
      rawHeaders: '',
    };
    this.parts.push(part);
    this.headerLines = [];
    this.headerBytes = 0;
    this.inHeaders = true;
    return part;
  }

  /** A `--boundary` (or closing `--boundary--`) line of the open multipart at `index`. */
  private onDelimiter(index: number, closing: boolean, pos: number, next: number): void {
    const { stack } = this;
    // Everything deeper than the matching multipart ends here.
    for (let i = stack.length - 1; i > index; i -= 1) stack[i].part.bodyEnd = Math.max(stack[i].part.bodyStart, pos);
    if (this.inHeaders) {
      // A part that ends before its header block did (no empty line): close it as it is.
      this.finishHeaders(pos, pos);
      this.current.bodyEnd = pos;
    }
    stack.length = index + 1;
    if (closing) {
      stack[index].delimiter = null; // the epilogue belongs to this multipart's body
      this.current = stack[index].part;
    } else {
      this.current = this.openEntity(stack[index].part.depth + 1, next);
    }
  }

  private onHeaderLine(pos: number, lineEnd: number, next: number): void {
    if (lineEnd === pos) {
      this.endHeaders(pos, Math.min(next, this.raw.length));
      return;
    }
    const line = this.raw.toString('latin1', pos, Math.min(lineEnd, pos + 998 * 64));
    this.headerBytes += next - pos;
    if (this.headerBytes > this.limits.maxHeaderBytes) {
      throw new ScanLimitError('header-too-large', `a header block is over the ${this.limits.maxHeaderBytes}-byte limit`);
    }
    const lines = this.headerLines;
    const previous = lines[lines.length - 1];
    const isFold = line.startsWith(' ') || line.startsWith('\t');
    // A parameter wrapped onto an unindented line (`Content-Type: multipart/x;` then
    // `boundary="…"`) is a common malformation; read it as folded, like MUAs do.
    const looseParam = previous !== undefined && /;\s*$/.test(previous) && PARAM_LINE.test(line);
    if ((isFold || looseParam) && previous !== undefined) lines[lines.length - 1] += ` ${line.trim()}`;
    else if (HEADER_FIELD.test(line)) lines.push(line);
    else this.endHeaders(pos, pos); // missing header/body separator: this line starts the body
  }

  private finishHeaders(end: number, bodyStart: number): void {
    this.inHeaders = false;
    this.current.headerEnd = end;
    this.current.bodyStart = bodyStart;
    this.current.rawHeaders = this.headerLines.join('\n');
    describe(this.current, this.headerLines);
  }

  /** Close the header block of the current entity and enter its body. */
  private endHeaders(end: number, bodyStart: number): void {
    this.finishHeaders(end, bodyStart);
    const part = this.current;
    const boundary = part.contentType.startsWith('multipart/') ? paramOf(part.contentTypeHeader, 'boundary') : null;
    this.stack.push({ part, delimiter: boundary ? `--${boundary}` : null });
    // An enclosed message is a whole message: its headers start right away, one level deeper.
    const enclosed = /^message\/(rfc822|global)$/.test(part.contentType) && !/^(base64|quoted-printable)$/.test(part.transferEncoding);
    if (enclosed) this.current = this.openEntity(part.depth + 1, bodyStart);
  }
}

/** Which open multipart (index in the stack) a `--…` line delimits, innermost first. */
function matchDelimiter(raw: Buffer, start: number, end: number, stack: Frame[]): { index: number; closing: boolean } | null {
  // Boundaries are at most 70 characters; read a little more to see the closing `--`.
  const line = raw.toString('latin1', start, Math.min(end, start + 200)).replace(/[ \t]+$/, '');
  for (let i = stack.length - 1; i >= 0; i -= 1) {
    const delimiter = stack[i].delimiter;
    if (!delimiter || !line.startsWith(delimiter)) continue;
    const rest = line.slice(delimiter.length);
    if (rest === '') return { index: i, closing: false };
    if (rest === '--') return { index: i, closing: true };
  }
  return null;
}

/** Fill type, charset, encoding, disposition and file name from an entity's header lines. */
function describe(part: ScannedPart, lines: string[]): void {
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-type' && !part.contentTypeHeader) {
      part.contentTypeHeader = value;
      const type = value.split(';')[0].trim().toLowerCase();
      if (/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) part.contentType = type;
      part.charset = paramOf(value, 'charset');
      part.filename ??= paramOf(value, 'name');
    } else if (name === 'content-transfer-encoding') {
      part.transferEncoding = value.toLowerCase().replace(/[^a-z0-9-]/g, '') || '7bit';
    } else if (name === 'content-disposition') {
      part.disposition = value.split(';')[0].trim().toLowerCase() || null;
      part.filename = paramOf(value, 'filename') ?? part.filename;
    }
  }
}

/** One parameter of a structured header value (rfc2231 continuations and encodings resolved). */
export function paramOf(headerValue: string, param: string): string | null {
  try {
    const value = libmime.parseHeaderValue(headerValue).params[param];
    return typeof value === 'string' && value !== '' ? value : null;
  } catch {
    // A parameter list libmime cannot read is treated as absent; the part keeps its defaults.
    return null;
  }
}
