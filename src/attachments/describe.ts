import { createHash } from 'node:crypto';
import { formatBytes } from './limits.ts';
import { extensionFor, kindOf, sniffType } from './sniff.ts';
import type { AttachmentInfo } from './types.ts';

/**
 * One attachment as mailparser gives it (`ParsedMail.attachments[i]`), or as it arrives from the
 * parse thread by structured clone (a Buffer becomes a Uint8Array on the way).
 */
export interface MailAttachmentPart {
  filename?: string | null;
  contentType?: string | null;
  contentDisposition?: string | null;
  related?: boolean;
  /** mailparser's Content-ID without brackets (`cid`), or the raw header value (`contentId`). */
  cid?: string | null;
  contentId?: string | null;
  content?: Uint8Array | string | null;
}

export interface DescribedAttachment {
  info: AttachmentInfo;
  /** The decoded content to store, scan and read; null for over-limit and unreadable parts (listed, not kept). */
  content: Buffer | null;
}

/** Longest file name kept, in characters (the extension is kept when a name is cut). */
const MAX_NAME_CHARS = 180;

/**
 * Describe every attachment of a parsed message: safe name, declared and sniffed type, size,
 * SHA-256, disposition and whether its content is kept. Nothing is dropped: a part over
 * `maxBytes` is listed as `over-limit` and a part without decodable content as `unreadable`,
 * each with the reason in words. Does no I/O; deterministic for the same input.
 */
export async function describeAttachments(parts: readonly MailAttachmentPart[], limits: { maxBytes: number }): Promise<DescribedAttachment[]> {
  const out: DescribedAttachment[] = [];
  for (const [index, part] of parts.entries()) out.push(await describeAttachment(part, index, limits));
  return out;
}

export async function describeAttachment(part: MailAttachmentPart, index: number, limits: { maxBytes: number }): Promise<DescribedAttachment> {
  const declaredType = bareType(part.contentType);
  const rawName = part.filename ?? '';
  const bytes = part.content instanceof Uint8Array ? Buffer.from(part.content.buffer, part.content.byteOffset, part.content.byteLength) : null;
  const sniffedType = bytes && bytes.length > 0 ? await sniffType(bytes, { declaredType, name: rawName }) : 'application/octet-stream';
  const base = {
    index,
    name: safeFileName(rawName, index, extensionFor(sniffedType)),
    declaredType,
    sniffedType,
    kind: kindOf(sniffedType),
    size: bytes?.length ?? 0,
    sha256: bytes ? createHash('sha256').update(bytes).digest('hex') : null,
    disposition: part.contentDisposition?.toLowerCase() === 'inline' || (part.related ?? false) ? 'inline' as const : 'attachment' as const,
    related: part.related ?? false,
    contentId: (part.cid ?? part.contentId ?? '').replace(/^<|>$/g, '').trim() || null,
  };
  if (!bytes) {
    return { info: { ...base, status: 'unreadable', reason: 'the part has no content that could be decoded' }, content: null };
  }
  if (bytes.length === 0) return { info: { ...base, status: 'unreadable', reason: 'the part is empty (0 bytes)' }, content: null };
  if (bytes.length > limits.maxBytes) {
    const reason = `${formatBytes(bytes.length)}, over the ${formatBytes(limits.maxBytes)} limit per attachment: listed, not stored, scanned or read`;
    return { info: { ...base, status: 'over-limit', reason }, content: null };
  }
  return { info: { ...base, status: 'ok', reason: null }, content: bytes };
}

/**
 * A file name that is safe to show and to put in a Content-Disposition header: the last path
 * segment only, no control, bidi-override or zero-width characters, none of `<>:"|?*` (`invoice\u202Efdp.exe`
 * would read as `invoiceexe.pdf`), no leading dots, at most MAX_NAME_CHARS characters with the
 * extension kept. An empty result becomes `attachment-<n>.<ext>` from the sniffed type.
 */
export function safeFileName(raw: string, index: number, extension: string): string {
  let name = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  name = name
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_') // not allowed in Windows file names, where a consultant may save it
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = Array.from(name); // code points: a cut never splits a surrogate pair
  if (chars.length > MAX_NAME_CHARS) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = chars.slice(0, MAX_NAME_CHARS - ext.length).join('').trimEnd() + ext;
  }
  return name || `attachment-${index + 1}.${extension}`;
}

function bareType(value: string | null | undefined): string {
  const type = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : 'application/octet-stream';
}
