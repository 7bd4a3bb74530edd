import { htmlToVisibleText } from './new-text.ts';
import iconv from 'iconv-lite';
import libbase64 from 'libbase64';
import libmime from 'libmime';
import libqp from 'libqp';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { ScannedPart } from './mime-scan.ts';
import type { Address, MessagePart, ParsedMessage } from './parsed-message.ts';

/** Machine-readable parts whose decoded content is kept (what the classifier and bounce reader read). */
const CONTENT_TYPES = new Set([
  'message/delivery-status', 'message/global-delivery-status', 'message/feedback-report',
  'message/disposition-notification', 'message/global-disposition-notification',
  'text/rfc822-headers', 'message/global-headers',
]);
const ENCLOSED_MESSAGE = /^message\/(rfc822|global)$/;
/** Larger machine-readable parts are not decoded: a real DSN or ARF report is a few kilobytes. */
const MAX_CONTENT_BYTES = 256 * 1024;
const MAX_ENCLOSED_BYTES = 4 * 1024 * 1024;
/** Text and HTML bodies are kept up to this many characters (2 M: far beyond any real question). */
export const MAX_BODY_CHARS = 2_000_000;

/**
 * Turn mailparser's result plus the pre-scan's structure into the plain `ParsedMessage` the
 * pipeline shares. mailparser supplies the decoded envelope fields and bodies; the structure
 * (`parts`) and the header map come from the scan, because simpleParser flattens the tree.
 * `warnings` gathers every visible fallback (unknown charset, 8-bit headers, NUL bytes).
 */
export function toParsedMessage(parsed: ParsedMail, raw: Buffer, scanned: ScannedPart[], warnings: string[] = []): ParsedMessage {
  const top = scanned[0];
  const headers = top ? readHeaderBlock(raw.subarray(top.headerStart, top.headerEnd), warnings, 'top-level') : {};
  checkCharsets(scanned, warnings);
  // An HTML-only message: mailparser's own text of it runs table cells together and keeps image
  // (tracking-pixel) URLs; the text is the HTML's visible text instead (tables as `a | b` rows).
  const htmlOnly = typeof parsed.html === 'string' && scanned.length > 0 && !scanned.some((p) => p.contentType.toLowerCase() === 'text/plain' && p.disposition !== 'attachment');
  const bodyText = (htmlOnly ? visibleText(parsed.html as string, warnings) : null) ?? (parsed.text || (parsed.html ? '' : recoverText(raw, scanned, warnings)));
  const text = capBody(stripNul(bodyText, warnings, 'text'), warnings, 'text');
  const html = typeof parsed.html === 'string' ? capBody(stripNul(parsed.html, warnings, 'html'), warnings, 'html') : null;
  if (text.includes('\uFFFD')) warnings.push('text contains bytes that are invalid in its charset (replaced with U+FFFD)');
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null;
  return {
    headers,
    messageId: parsed.messageId?.trim() || null,
    inReplyTo: parsed.inReplyTo?.trim() || null,
    references: toList(parsed.references),
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    subject: stripNul(parsed.subject ?? '', warnings, 'subject'),
    date,
    text,
    html,
    contentType: headers['content-type']?.[0] ?? 'text/plain',
    parts: scanned.map((part, index) => toPart(part, index, scanned, raw, warnings)),
    warnings: [...new Set(warnings)],
  };
}

/** The visible text of an HTML body, or null (with a warning) when html-to-text cannot read it. */
function visibleText(html: string, warnings: string[]): string | null {
  try {
    return htmlToVisibleText(html);
  } catch {
    warnings.push('HTML body could not be converted to text; the parser\'s own text is used');
    return null;
  }
}

function toPart(part: ScannedPart, index: number, all: ScannedPart[], raw: Buffer, warnings: string[]): MessagePart {
  const out: MessagePart = {
    contentType: part.contentType,
    contentTypeHeader: part.contentTypeHeader || undefined,
    disposition: part.disposition,
    filename: part.filename ? safeWords(part.filename) : null,
    size: Math.max(0, part.bodyEnd - part.bodyStart),
    depth: part.depth,
    charset: part.charset,
  };
  const body = raw.subarray(part.bodyStart, part.bodyEnd);
  if (CONTENT_TYPES.has(part.contentType) && body.length <= MAX_CONTENT_BYTES) {
    out.content = stripNul(decodeTransfer(body, part.transferEncoding).toString('utf8'), warnings, 'report part');
    if (/headers$/.test(part.contentType)) out.headers = readHeaderBlock(Buffer.from(out.content, 'utf8'), warnings, 'returned');
  } else if (ENCLOSED_MESSAGE.test(part.contentType)) {
    // The enclosed message was scanned as the next entity when it was not encoded; otherwise decode it here.
    const child = all[index + 1];
    const block = child && child.depth === part.depth + 1 && child.headerStart === part.bodyStart
      ? raw.subarray(child.headerStart, child.headerEnd)
      : body.length <= MAX_ENCLOSED_BYTES ? headerBlockOf(decodeTransfer(body, part.transferEncoding)) : Buffer.alloc(0);
    out.headers = readHeaderBlock(block, warnings, 'returned');
    out.content = stripNul(block.toString('utf8'), warnings, 'returned headers');
  }
  return out;
}

/** Lower-case name → every value of a raw header block, unfolded and with encoded words decoded. */
export function readHeaderBlock(block: Buffer, warnings: string[], where: string): Record<string, string[]> {
  let textBlock: string;
  try {
    textBlock = new TextDecoder('utf-8', { fatal: true }).decode(block);
  } catch {
    // Raw 8-bit bytes that are not UTF-8: read them as latin1 rather than dropping the header.
    textBlock = block.toString('latin1');
    warnings.push(`${where} headers hold raw 8-bit bytes that are not UTF-8 (read as latin1)`);
  }
  if (textBlock.includes('\0')) {
    textBlock = textBlock.replaceAll('\0', '');
    warnings.push(`NUL bytes removed from ${where} headers`);
  }
  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const field of textBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const match = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(field);
    if (!match) continue;
    const name = match[1].toLowerCase();
    (headers[name] ??= []).push(safeWords(match[2].trim()));
  }
  return { ...headers };
}

/** Warn about every declared charset (part or encoded word) that cannot be decoded as declared. */
function checkCharsets(scanned: ScannedPart[], warnings: string[]): void {
  const names = new Set<string>();
  for (const part of scanned) if (part.charset && /^(text|multipart)\//.test(part.contentType)) names.add(part.charset);
  for (const part of scanned) {
    for (const match of part.rawHeaders.matchAll(/=\?([^?*\s]+)(?:\*[^?]*)?\?[bq]\?/gi)) names.add(match[1]);
  }
  for (const name of names) {
    if (!libmime.createDecodeStream(name).supported) {
      warnings.push(`unknown or refused charset "${name.slice(0, 40)}" decoded as UTF-8 with invalid bytes replaced`);
    }
  }
}

/**
 * mailparser gives no text when it cannot follow a malformed structure that the scan could
 * (an unindented boundary parameter, say). Then take the first inline text/plain part the scan
 * found, decoded by hand, and say so.
 */
function recoverText(raw: Buffer, scanned: ScannedPart[], warnings: string[]): string {
  // A multipart whose boundary never occurs has no parts: its whole body is what there is to read.
  const lone = scanned.length === 1 && scanned[0].contentType.startsWith('multipart/') ? scanned[0] : undefined;
  // Never the text of an enclosed (returned, forwarded) message: that is not this message's text.
  const enclosed = insideEnclosed(scanned);
  const part = lone ?? scanned.find((p, i) => !enclosed[i] && p.contentType === 'text/plain' && p.disposition !== 'attachment' && p.bodyEnd > p.bodyStart);
  if (!part || part.bodyEnd - part.bodyStart > MAX_ENCLOSED_BYTES) return '';
  const bytes = decodeTransfer(raw.subarray(part.bodyStart, part.bodyEnd), part.transferEncoding);
  const charset = libmime.normalizeCharset(part.charset ?? 'utf-8');
  let text: string;
  try {
    text = iconv.encodingExists(charset) ? iconv.decode(bytes, charset) : bytes.toString('utf8');
  } catch {
    // An encoding iconv-lite lists but cannot apply: read as UTF-8, invalid bytes replaced.
    text = bytes.toString('utf8');
  }
  if (text.trim()) warnings.push('text recovered from the MIME structure (the parser found none)');
  return text;
}

/** For each part (depth-first), whether it lies inside a message/* part. */
function insideEnclosed(scanned: ScannedPart[]): boolean[] {
  const ancestors: ScannedPart[] = [];
  return scanned.map((part) => {
    while (ancestors.length > 0 && ancestors[ancestors.length - 1].depth >= part.depth) ancestors.pop();
    const inside = ancestors.some((a) => a.contentType.startsWith('message/'));
    ancestors.push(part);
    return inside;
  });
}

/** A part's body as bytes, its Content-Transfer-Encoding undone (libbase64 and libqp, as mailparser's own splitter uses). */
function decodeTransfer(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return libbase64.decode(body.toString('latin1'));
  if (encoding === 'quoted-printable') return libqp.decode(body);
  return body;
}

function headerBlockOf(message: Buffer): Buffer {
  const match = /\r?\n\r?\n/.exec(message.toString('latin1', 0, Math.min(message.length, 1024 * 1024)));
  return match ? message.subarray(0, match.index) : message;
}

function safeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    // A malformed encoded word stays as written: visible, never a crash.
    return value;
  }
}

/** Bodies past MAX_BODY_CHARS are cut (no question is that long); the cut is a visible warning. */
function capBody(value: string, warnings: string[], where: string): string {
  if (value.length <= MAX_BODY_CHARS) return value;
  warnings.push(`${where} cut to its first ${MAX_BODY_CHARS} characters (was ${value.length})`);
  return value.slice(0, MAX_BODY_CHARS);
}

function stripNul(value: string, warnings: string[], where: string): string {
  if (!value.includes('\0')) return value;
  warnings.push(`NUL bytes removed from ${where}`);
  return value.replaceAll('\0', '');
}

function toList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : value.split(/\s+/)).map((v) => v.trim()).filter(Boolean);
}

/** Flatten mailparser address objects (and groups) into plain `{ address, name }` pairs. */
function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = [];
  const visit = (list: { address?: string; name: string; group?: unknown[] }[]): void => {
    for (const entry of list) {
      if (entry.group) visit(entry.group as typeof list);
      else if (entry.address || entry.name) out.push({ address: entry.address ?? '', name: entry.name ?? '' });
    }
  };
  for (const object of value === undefined ? [] : Array.isArray(value) ? value : [value]) visit(object.value);
  return out;
}
