import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '../shared/errors.ts';

export type FileEncoding = 'utf-8' | 'latin1';

/** One line of a code-set file, without its line ending. */
export interface FileLine {
  text: string;
  /** 1-based line number in the (decompressed) file. */
  lineNo: number;
  /** Compressed bytes read so far, for progress. */
  bytesRead: number;
}

/** sha256 of a file's bytes, read as a stream. */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether a file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeLine(buf: Buffer, lineNo: number, encoding: FileEncoding): string {
  // NUL bytes mean UTF-16 or a binary file: no official code-set text file has them.
  if (buf.includes(0)) {
    throw new ValidationError(`line ${lineNo}: NUL byte found: wrong encoding (UTF-16?) or not a text file`);
  }
  let text: string;
  if (encoding === 'latin1') {
    text = buf.toString('latin1');
  } else {
    try {
      text = decoder.decode(buf);
    } catch (err) {
      throw new ValidationError(`line ${lineNo}: not valid UTF-8 text (wrong encoding?)`, { cause: err });
    }
  }
  if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text;
}

/**
 * Decode the complete lines at the start of a buffer in one go (one string per chunk, lines as
 * slices of it). Falls back to line by line only to name the line of a NUL byte or bad UTF-8.
 */
function decodeChunk(buf: Buffer, firstLine: number, encoding: FileEncoding, bytesRead: number): FileLine[] {
  let text: string | null = null;
  if (!buf.includes(0)) {
    try {
      text = encoding === 'latin1' ? buf.toString('latin1') : decoder.decode(buf);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      text = null; // bad UTF-8: named below, line by line
    }
  }
  const out: FileLine[] = [];
  if (text === null) {
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      out.push({ text: decodeLine(buf.subarray(start, nl), firstLine + out.length, encoding), lineNo: firstLine + out.length, bytesRead });
      start = nl + 1;
    }
    return out;
  }
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    let line = text.slice(start, end);
    if (firstLine + out.length === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    out.push({ text: line, lineNo: firstLine + out.length, bytesRead });
    start = nl + 1;
  }
  return out;
}

/**
 * Stream the lines of a text file (plain or gzip) a chunk at a time (about 1 MB of lines per
 * batch: a 1.5-million-line file is read with a few hundred awaits, not one per line), never
 * holding more than one chunk. CRLF and LF endings both work; a trailing DOS end-of-file byte
 * (0x1A, as in the HCPCS file) is dropped. Invalid UTF-8 or NUL bytes stop the read with the
 * line number.
 */
export async function* readLineBatches(path: string, encoding: FileEncoding): AsyncGenerator<FileLine[]> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  let rest: Buffer | null = null;
  let lineNo = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl === -1) {
        rest = buf;
        continue;
      }
      const batch = decodeChunk(buf.subarray(0, lastNl + 1), lineNo + 1, encoding, raw.bytesRead);
      lineNo += batch.length;
      rest = lastNl + 1 < buf.length ? Buffer.from(buf.subarray(lastNl + 1)) : null;
      if (batch.length) yield batch;
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`line ${lineNo + 1}: cannot read file (${err instanceof Error ? err.message : String(err)}): truncated or corrupt?`, { cause: err });
  } finally {
    raw.destroy();
  }
  if (rest && !(rest.length === 1 && rest[0] === 0x1a)) {
    lineNo += 1;
    yield [{ text: decodeLine(rest, lineNo, encoding), lineNo, bytesRead: raw.bytesRead }];
  }
}

/** The lines of a text file one by one (see readLineBatches). */
export async function* readLines(path: string, encoding: FileEncoding): AsyncGenerator<FileLine> {
  for await (const batch of readLineBatches(path, encoding)) yield* batch;
}
