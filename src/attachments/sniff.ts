import { fileTypeFromBuffer } from 'file-type';
import type { AttachmentKind } from './types.ts';

export const OCTET_STREAM = 'application/octet-stream';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** How far into the content the text sniff looks. */
const SNIFF_BYTES = 64 * 1024;
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'text/x-csv']);

/**
 * The type the content's bytes show, never the sender's word for it. Binary formats come from
 * their magic numbers (file-type); what has none is sniffed as text: SVG and HTML are told apart
 * from plain text because they can carry script, CSV is text the sender called CSV (by type or
 * `.csv` name). Content that is neither is `application/octet-stream`.
 */
export async function sniffType(bytes: Uint8Array, hint: { declaredType: string; name: string }): Promise<string> {
  const magic = await magicType(bytes);
  if (magic && magic !== 'application/xml') return magic;
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (!looksLikeText(head)) return magic ?? OCTET_STREAM;
  const text = new TextDecoder('utf-8').decode(head);
  if (/<svg[\s>]/i.test(text)) return 'image/svg+xml';
  if (/<(!doctype\s+html|html|head|body|script|iframe|object|embed|frameset)[\s>/]/i.test(text)) return 'text/html';
  if (magic) return magic;
  if (CSV_TYPES.has(hint.declaredType) || /\.csv$/i.test(hint.name)) return 'text/csv';
  if (hint.declaredType === 'message/rfc822' || /\.eml$/i.test(hint.name)) return 'message/rfc822';
  return 'text/plain';
}

/** The kind that decides how an attachment is read and served, from its sniffed type alone. */
export function kindOf(sniffedType: string): AttachmentKind {
  if (sniffedType === 'application/pdf') return 'pdf';
  if (sniffedType === 'image/svg+xml') return 'svg';
  if (sniffedType.startsWith('image/')) return 'image';
  if (sniffedType === DOCX_TYPE) return 'docx';
  if (sniffedType === 'text/csv') return 'csv';
  if (sniffedType === 'text/plain') return 'text';
  if (sniffedType === 'text/html') return 'html';
  if (sniffedType === 'message/rfc822') return 'email';
  return 'other';
}

/** The usual file-name extension for a sniffed type (for attachments that came without a name). */
export function extensionFor(sniffedType: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp',
    'image/tiff': 'tif', 'image/bmp': 'bmp', 'image/heic': 'heic', 'image/svg+xml': 'svg', [DOCX_TYPE]: 'docx',
    'text/csv': 'csv', 'text/plain': 'txt', 'text/html': 'html', 'message/rfc822': 'eml', 'application/zip': 'zip',
    'application/xml': 'xml',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  };
  return known[sniffedType] ?? 'bin';
}

async function magicType(bytes: Uint8Array): Promise<string | null> {
  try {
    return (await fileTypeFromBuffer(bytes))?.mime ?? null;
  } catch (err) {
    // A malformed container can make a detector throw; the content is then simply of unknown type.
    void err;
    return null;
  }
}

/**
 * Text if there is no NUL byte and almost no other control character in the sniffed head.
 * UTF-8, Latin-1 and Windows-1252 text all pass; UTF-16 (full of NULs) reads as binary.
 */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) control++;
  }
  return control <= head.length / 100;
}
