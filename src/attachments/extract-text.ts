import type { AttachmentKind, TextResult } from './types.ts';

export interface TextLimits {
  /** Characters kept; the rest is cut and the result says so. */
  maxChars: number;
  /** Pages of a PDF read at most. */
  maxPdfPages: number;
}

/** Kinds whose parsers read hostile binary or markup formats: they run in a worker thread under a time and memory limit. */
export const THREADED_KINDS: ReadonlySet<AttachmentKind> = new Set(['pdf', 'docx', 'html']);

/**
 * The answer for kinds that are not read at all (no OCR for images, nothing for unknown
 * formats), or null when the content must be read. Each answer says why, in words.
 */
export function textWithoutReading(kind: AttachmentKind): TextResult | null {
  switch (kind) {
    case 'image':
    case 'svg':
      return { status: 'none', code: 'image', reason: 'image, no text' };
    case 'email':
      return { status: 'none', code: 'unsupported', reason: 'an attached email: its text is not read' };
    case 'other':
      return { status: 'none', code: 'unsupported', reason: 'this file type is not read (PDF, Word .docx, text and CSV are)' };
    default:
      return null;
  }
}

/**
 * Decode a text or CSV file: a byte-order mark decides UTF-8 or UTF-16; otherwise strict UTF-8,
 * and Windows-1252 when the bytes are not valid UTF-8 (what spreadsheets on Windows export).
 */
export function decodeTextFile(bytes: Uint8Array, limits: TextLimits): TextResult {
  let encoding = 'utf-8';
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) body = bytes.subarray(3);
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, body] = ['utf-16le', bytes.subarray(2)];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, body] = ['utf-16be', bytes.subarray(2)];
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(body);
  } catch (err) {
    // Not valid in the encoding it seemed to be in: read it as Windows-1252, which maps every byte.
    void err;
    text = decodeWindows1252(body);
  }
  return finishText(text, limits, null);
}

/** Windows-1252 at 0x80–0x9F (Node's TextDecoder reads 'windows-1252' as Latin-1 there); undefined bytes stay as C1. */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...chunk).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  }
  return out;
}

/** Normalise extracted text (newlines, NUL bytes, trailing space), cut it to the limit, and call empty text empty. */
export function finishText(raw: string, limits: Pick<TextLimits, 'maxChars'>, pages: number | null): TextResult {
  const text = raw.replace(/\r\n?/g, '\n').replaceAll('\0', '').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  if (text === '') return { status: 'none', code: 'empty', reason: 'the file holds no text' };
  if (text.length <= limits.maxChars) return { status: 'text', text, truncated: false, pages };
  return { status: 'text', text: text.slice(0, limits.maxChars), truncated: true, pages };
}
