import { simpleParser } from 'mailparser';
import { extractNewText } from '../../mail/new-text.ts';
import { extractCodes } from './extract-codes.ts';
import type { ExtractedCodes, ExtractOptions } from './types.ts';

/** Extract from a message's parts: the body's new text is taken first (quotes, signature dropped). */
export function extractFromMessage(
  message: { subject: string; text: string; html?: string | null },
  options: ExtractOptions = {},
): ExtractedCodes {
  const body = extractNewText({ text: message.text, html: message.html ?? null, subject: message.subject });
  return extractCodes({ subject: message.subject, body }, options);
}

/** Header lines at the top (`Name: value`, folded continuations) followed by a blank line. */
const HEADER_LINE = /^[!-9;-~]+:[ \t]?.*$/;

/** Whether raw input starts like an RFC 5322 message rather than plain text. */
export function looksLikeRfc5322(raw: string): boolean {
  const head = raw.slice(0, 64 * 1024).replace(/^\uFEFF/, '');
  const lines = head.split(/\r?\n/);
  let headers = 0;
  let known = 0;
  for (const line of lines) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && headers > 0) continue;
    if (!HEADER_LINE.test(line)) return false;
    headers++;
    if (/^(?:from|to|subject|date|message-id|mime-version|content-type|received|return-path|cc|reply-to|delivered-to|x-[\w-]+):/i.test(line)) known++;
  }
  return headers > 0 && known > 0;
}

/**
 * Read one raw input as `casedesk extract` does: an RFC 5322 message (parsed with mailparser:
 * subject, text/plain when present, else the HTML), or plain text taken as the body with an
 * empty subject.
 */
export async function readMessage(raw: Buffer | string): Promise<{ subject: string; text: string; html: string | null }> {
  let source = typeof raw === 'string' ? raw : raw.toString('utf8');
  // An mbox export starts with a `From sender date` separator line: not part of the message.
  const mbox = /^From [^\r\n:]*\r?\n/.exec(source);
  if (mbox) source = source.slice(mbox[0].length);
  if (!looksLikeRfc5322(source)) return { subject: '', text: source, html: null };
  const parsed = await simpleParser(mbox || typeof raw === 'string' ? Buffer.from(source) : raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  // mailparser fills `text` from the HTML when there is no text/plain part; the contract reads
  // such mail as the HTML's visible text, so use our own conversion then.
  const hasPlain = /content-type:\s*text\/plain/i.test(source) || !/content-type:/i.test(source);
  const text = hasPlain || !html ? (parsed.text ?? '') : '';
  return { subject: parsed.subject ?? '', text, html };
}

/** Extract from raw input (message or plain text). */
export async function extractFromRaw(raw: Buffer | string, options: ExtractOptions = {}): Promise<ExtractedCodes> {
  return extractFromMessage(await readMessage(raw), options);
}
