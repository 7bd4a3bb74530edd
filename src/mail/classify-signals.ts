import {
  AUTO_REPLY_HEADERS, AUTO_REPLY_SUBJECTS, BOUNCE_BODY, BOUNCE_SUBJECTS, DAEMON_LOCAL_PART, DAEMON_NAME, LIST_HEADERS,
  NOREPLY_LOCAL_PART, SPAM_SUBJECT_TAG, VACATION_BODY, firstMatch, subjectCore,
} from './classify-rules.ts';
import { isOwnMessageId } from '../shared/message-id.ts';
import type { ParsedMessage } from './parsed-message.ts';

/** What one family of rules found: `decisive` signals settle the kind; `weak` ones only support. */
export interface Signals {
  decisive: string[];
  weak: string[];
}

/** The first value of a header, trimmed, or null. */
export function header(msg: ParsedMessage, name: string): string | null {
  const value = msg.headers[name]?.[0];
  return value === undefined ? null : value.trim();
}

/** `report-type` of a top-level multipart/report, lower-case, or null. */
export function reportType(msg: ParsedMessage): string | null {
  if (!/^\s*multipart\/report\b/i.test(msg.contentType)) return null;
  const match = /report-type\s*=\s*"?([a-z0-9-]+)/i.exec(msg.contentType);
  return match ? match[1].toLowerCase() : 'unspecified';
}

function hasPart(msg: ParsedMessage, types: string[]): string | null {
  return msg.parts.find((p) => types.includes(p.contentType))?.contentType ?? null;
}

/** The first ~8 KB of the text body: bounce and vacation phrases sit at the top. */
function bodyHead(msg: ParsedMessage): string {
  return msg.text.slice(0, 8192);
}

/** ARF abuse / feedback reports (RFC 5965). */
export function feedbackSignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  if (reportType(msg) === 'feedback-report') decisive.push('multipart/report feedback-report');
  if (hasPart(msg, ['message/feedback-report'])) decisive.push('part message/feedback-report');
  return { decisive, weak: [] };
}

/**
 * Delivery failures. RFC 3464 structure is decisive; so is a bounce-looking subject at the start
 * (MTAs write them, people do not). For plain-text bounces the rest counts when at least two
 * supporting signals agree: a daemon sender plus a returned message, a null Return-Path plus an
 * MTA sentence, and so on. A postmaster who writes a letter has only one of these.
 */
export function bounceSignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  const weak: string[] = [];
  const type = reportType(msg);
  if (type === 'delivery-status') decisive.push('multipart/report delivery-status');
  const dsnPart = hasPart(msg, ['message/delivery-status', 'message/global-delivery-status']);
  if (dsnPart) decisive.push(`part ${dsnPart}`);
  if (header(msg, 'x-failed-recipients')) decisive.push('header X-Failed-Recipients');
  const subject = firstMatch(BOUNCE_SUBJECTS, subjectCore(msg.subject));
  if (subject) decisive.push('subject looks like a delivery failure');

  const from = msg.from;
  const localPart = from?.address.split('@')[0] ?? '';
  if (DAEMON_LOCAL_PART.test(localPart)) weak.push(`sender ${localPart.toLowerCase()}`);
  else if (from && DAEMON_NAME.test(from.name)) weak.push('sender name of a mail system');
  if (isNullReturnPath(msg)) weak.push('header Return-Path: <>');
  const returned = msg.parts.find((p) => p.depth > 0 && /^(message\/(rfc822|global)|text\/rfc822-headers|message\/global-headers)$/.test(p.contentType));
  if (returned) weak.push(`returned ${returned.contentType} part`);
  if (firstMatch(BOUNCE_BODY, bodyHead(msg))) weak.push('body reads like a delivery failure');
  if (weak.length >= 2 && decisive.length === 0) decisive.push(...weak.splice(0));
  return { decisive, weak };
}

/** Message disposition notifications (read receipts) and automatic replies (RFC 3834 and older). */
export function autoReplySignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  const weak: string[] = [];
  const type = reportType(msg);
  if (type === 'disposition-notification') decisive.push('multipart/report disposition-notification');
  else if (hasPart(msg, ['message/disposition-notification', 'message/global-disposition-notification'])) {
    decisive.push('part message/disposition-notification');
  }
  // RFC 3834: any value other than "no" means the message was sent by software.
  const autoSubmitted = header(msg, 'auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) decisive.push(`header Auto-Submitted: ${autoSubmitted.split(/[;\s]/)[0].toLowerCase()}`);
  for (const name of AUTO_REPLY_HEADERS) {
    const value = header(msg, name);
    if (value !== null && !/^(no|false|0)$/i.test(value)) decisive.push(`header ${name}`);
  }
  for (const name of ['precedence', 'x-precedence']) {
    if (/^auto[-_]?reply\b/i.test(header(msg, name) ?? '')) decisive.push(`header ${name}: auto_reply`);
  }
  if (firstMatch(AUTO_REPLY_SUBJECTS, subjectCore(msg.subject))) decisive.push('subject looks like an automatic reply');
  // RFC 5321 §4.5.5: the null reverse-path is reserved for notifications; people never send with it.
  if (isNullReturnPath(msg)) decisive.push('header Return-Path: <>');

  // Exchange puts X-Auto-Response-Suppress on its own automatic mail, but also on some ordinary
  // mail; noreply senders and "I am out of the office" sentences also occur in human mail.
  const suppress = header(msg, 'x-auto-response-suppress');
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress)) weak.push('header X-Auto-Response-Suppress');
  const localPart = msg.from?.address.split('@')[0] ?? '';
  if (NOREPLY_LOCAL_PART.test(localPart)) weak.push('sender noreply');
  if (firstMatch(VACATION_BODY, bodyHead(msg))) weak.push('body reads like a vacation reply');
  if (weak.length >= 2 && decisive.length === 0) decisive.push(...weak.splice(0));
  return { decisive, weak };
}

/** Mailing lists and bulk mail: list headers (RFC 2369/2919) and Precedence: list/bulk/junk. */
export function listSignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  for (const name of LIST_HEADERS) if (msg.headers[name]) decisive.push(`header ${name}`);
  const precedence = header(msg, 'precedence');
  if (precedence && /^(list|bulk|junk)\b/i.test(precedence)) decisive.push(`header Precedence: ${precedence.toLowerCase().split(/\s/)[0]}`);
  const weak = msg.headers['x-loop'] ? ['header X-Loop'] : [];
  return { decisive, weak };
}

/** Verdicts of spam filters upstream of us (SpamAssassin, Exchange, Barracuda, subject tags). */
export function spamSignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  if (/^yes\b/i.test(header(msg, 'x-spam-flag') ?? '')) decisive.push('header X-Spam-Flag: YES');
  if (/^yes\b/i.test(header(msg, 'x-spam-status') ?? '')) decisive.push('header X-Spam-Status: Yes');
  if (/^(yes|true|spam)\b/i.test(header(msg, 'x-spam') ?? '')) decisive.push('header X-Spam: yes');
  if (/^yes\b/i.test(header(msg, 'x-barracuda-spam-status') ?? '')) decisive.push('header X-Barracuda-Spam-Status: Yes');
  // Exchange spam confidence level: 5 and above is filtered as junk by Exchange itself.
  const scl = Number(header(msg, 'x-ms-exchange-organization-scl') ?? 'NaN');
  if (scl >= 5 && scl <= 9) decisive.push(`header X-MS-Exchange-Organization-SCL: ${scl}`);
  // Microsoft 365 / Forefront: SFV:SPM is its spam verdict (SFV:NSPM is "not spam").
  if (/(^|;)\s*SFV:SPM\s*(;|$)/i.test(header(msg, 'x-forefront-antispam-report') ?? '')) decisive.push('header X-Forefront-Antispam-Report: SFV:SPM');
  // MailScanner writes `X-<Org>-MailScanner-SpamCheck: spam, …` (or `not spam, …`).
  for (const [name, values] of Object.entries(msg.headers)) {
    if (name.endsWith('mailscanner-spamcheck') && /^spam\b/i.test(values[0]?.trim() ?? '')) decisive.push('header MailScanner-SpamCheck: spam');
  }
  if (SPAM_SUBJECT_TAG.test(msg.subject)) decisive.push('subject tagged as spam');
  return { decisive, weak: [] };
}

/** Our own mail coming back: our Message-ID domain, one of our From addresses, or our X-Loop. */
export function ownLoopSignals(msg: ParsedMessage, ctx: { ownDomains: string[]; ownAddresses: string[] }): Signals {
  const decisive: string[] = [];
  const domains = ctx.ownDomains.map((d) => d.toLowerCase());
  const addresses = ctx.ownAddresses.map((a) => a.toLowerCase());
  if (isOwnMessageId(msg.messageId, domains)) decisive.push('Message-ID on our own domain');
  const from = msg.from?.address.toLowerCase();
  if (from && addresses.includes(from)) decisive.push('sender is our own address');
  for (const loop of msg.headers['x-loop'] ?? []) {
    const value = loop.toLowerCase();
    if (addresses.some((a) => value.includes(a)) || domains.some((d) => value.includes(`@${d}`))) decisive.push('header X-Loop names us');
  }
  return { decisive, weak: [] };
}

/** `Return-Path: <>` (or an empty Return-Path), the envelope sender of notifications. */
export function isNullReturnPath(msg: ParsedMessage): boolean {
  const values = msg.headers['return-path'];
  if (!values || values.length === 0) return false;
  // The delivering MTA adds the last-hop Return-Path on top; that is the one that counts.
  return /^<?\s*>?$/.test(values[0].trim());
}
