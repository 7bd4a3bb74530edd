import { simpleParser, type Attachment } from 'mailparser';
import { describeAttachments, type DescribedAttachment } from '../attachments/describe.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from '../attachments/limits.ts';
import { safeErrorSummary } from '../shared/log-safe-error.ts';
import { scanMime, type ScannedPart } from './mime-scan.ts';
import { toParsedMessage } from './to-parsed-message.ts';
import type { ParseLimits, SafeParseResult } from './parse-result.ts';

/** Largest header block of any entity when the caller sets none: real headers stay far below. */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The parse itself: pre-scan, then mailparser, then `toParsedMessage`. Runs inside the parse
 * worker thread (see parse-worker.mjs); exported so tests can call it directly. It assumes the
 * size cap was already checked by the caller and the time limit is enforced from outside.
 */
export async function parseRaw(input: Uint8Array, limits: ParseLimits): Promise<SafeParseResult> {
  const scanned = preScan(input, limits);
  return 'result' in scanned ? scanned.result : parseScanned(scanned, limits);
}

/** A message after its pre-scan: the bytes as parsed (start normalised), its parts, and the warnings so far. */
export interface ScannedRaw {
  raw: Buffer;
  parts: ScannedPart[];
  warnings: string[];
}

/**
 * The first half of parseRaw, cheap and linear: the start normalised, then the pre-scan for
 * header size, MIME depth and part count. A message over a limit comes back as its result.
 */
export function preScan(input: Uint8Array, limits: ParseLimits): ScannedRaw | { result: SafeParseResult } {
  const warnings: string[] = [];
  const raw = normalizeStart(Buffer.from(input.buffer, input.byteOffset, input.byteLength), warnings);
  const scan = scanMime(raw, {
    maxDepth: limits.maxDepth,
    maxParts: limits.maxParts,
    maxHeaderBytes: limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
  });
  if (!scan.ok) return { result: { ok: false, code: scan.code, reason: scan.reason } };
  return { raw, parts: scan.parts, warnings };
}

/** The second half of parseRaw: mailparser over a pre-scanned message, then `toParsedMessage`. */
export async function parseScanned({ raw, parts, warnings }: ScannedRaw, limits: ParseLimits): Promise<SafeParseResult> {
  try {
    const parsed = await simpleParser(raw, {
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      keepDeliveryStatus: true,
    });
    const message = toParsedMessage(parsed, raw, parts, warnings);
    // Only messages with attachments pay for describing them (sniff, hash): the common case stays as it was.
    if (parsed.attachments.length > 0) message.attachments = await describeParts(parsed.attachments, limits, warnings);
    return { ok: true, message };
  } catch (err) {
    return { ok: false, code: 'unparseable', reason: `mail parser failed: ${safeErrorSummary(err)}` };
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Describe the attachments mailparser found. Its fields are read as strings only (a broken
 * header can give an object where a string is expected); if describing fails anyway the
 * message is still filed, without attachments and with a visible warning.
 */
async function describeParts(parts: Attachment[], limits: ParseLimits, warnings: string[]): Promise<DescribedAttachment[] | undefined> {
  try {
    const safe = parts.map((p) => ({
      filename: text(p.filename), contentType: text(p.contentType), contentDisposition: text(p.contentDisposition), related: p.related === true,
      cid: text(p.cid), contentId: text(p.contentId), content: p.content instanceof Uint8Array ? p.content : null,
    }));
    return await describeAttachments(safe, { maxBytes: limits.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES });
  } catch (err) {
    warnings.push(`attachments could not be listed: ${err instanceof Error ? err.message.slice(0, 100) : 'unknown error'}`);
    return undefined;
  }
}

/**
 * Drop what makes every parser miss the header block: a UTF-8 byte-order mark, and an mbox
 * `From ` separator line left on an exported message. Each removal is a visible warning.
 */
function normalizeStart(raw: Buffer, warnings: string[]): Buffer {
  let out = raw;
  if (out[0] === 0xef && out[1] === 0xbb && out[2] === 0xbf) {
    out = out.subarray(3);
    warnings.push('leading UTF-8 byte-order mark removed');
  }
  if (out.toString('latin1', 0, 5) === 'From ') {
    const nl = out.indexOf(0x0a);
    // `From sender date` (the date has colons), not an obsolete-syntax `From : …` header field.
    if (nl !== -1 && /^From (?![ \t]*:)\S+/.test(out.toString('latin1', 0, Math.min(nl, 1000)))) {
      out = out.subarray(nl + 1);
      warnings.push('leading mbox "From " line removed');
    }
  }
  return out;
}
