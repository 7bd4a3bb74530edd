import { type BodyReading, readBody } from './classify-body.ts';
import {
  ACK_SUBJECTS, AUTO_REPLY_HEADERS, AUTO_REPLY_SUBJECTS, BLOCK_SUBJECTS, BOUNCE_BODY, BOUNCE_SUBJECTS, DAEMON_LOCAL_PART,
  DAEMON_NAME, LIST_HEADERS, NOREPLY_LOCAL_PART, NOTICE_LOCAL_PART, NOTICE_SUBJECTS, PLATFORM_HEADER, SPAM_SUBJECT_TAG, TICKET_HEADER, TICKET_MAILER,
  VACATION_SUBJECTS, firstMatch, subjectCore,
} from './classify-rules.ts';
import { isOwnMessageId } from '../shared/message-id.ts';
import { isContentSpam, readSpam } from './classify-spam.ts';
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
 * Delivery failures and security-gateway block notices. RFC 3464 structure and
 * X-Failed-Recipients are decisive. A bounce-looking subject is decisive only with a second
 * signal: the body does not ask a coding question in the sender's own words (a coder resending
 * a question under "Undeliverable: …" is a person). Plain-text bounces count when at least two
 * supporting signals agree (a daemon sender plus a returned message, a null Return-Path plus an
 * MTA sentence…); when the sender asks a coding question, one of them must be structural (sender,
 * Return-Path, returned part): a postmaster who writes a letter has only one of these.
 */
export function bounceSignals(msg: ParsedMessage, body: BodyReading = readBody(msg)): Signals {
  const decisive: string[] = [];
  const weak: string[] = [];
  const type = reportType(msg);
  if (type === 'delivery-status') decisive.push('multipart/report delivery-status');
  const dsnPart = hasPart(msg, ['message/delivery-status', 'message/global-delivery-status']);
  if (dsnPart) decisive.push(`part ${dsnPart}`);
  if (header(msg, 'x-failed-recipients')) decisive.push('header X-Failed-Recipients');
  const structural = bounceStructure(msg);
  weak.push(...structural);
  if (firstMatch(BOUNCE_BODY, bodyHead(msg))) weak.push('body reads like a delivery failure');
  if (firstMatch(BLOCK_SUBJECTS, subjectCore(msg.subject))) weak.push('subject looks like a block notice');
  if (body.block.length > 0) weak.push('body reads like a block notice');
  if (firstMatch(BOUNCE_SUBJECTS, subjectCore(msg.subject))) {
    if (!body.asksCodingQuestion && (weak.length > 0 || !asksAnything(body))) decisive.push('subject looks like a delivery failure');
    else weak.push('subject looks like a delivery failure');
  }
  if (decisive.length === 0 && weak.length >= 2 && (structural.length > 0 || !body.asksCodingQuestion)) decisive.push(...weak.splice(0));
  return { decisive, weak };
}

/** The structural signs of a plain-text bounce: daemon sender, null Return-Path, a returned message part. */
function bounceStructure(msg: ParsedMessage): string[] {
  const out: string[] = [];
  const from = msg.from;
  const localPart = from?.address.split('@')[0] ?? '';
  if (DAEMON_LOCAL_PART.test(localPart)) out.push(`sender ${localPart.toLowerCase()}`);
  else if (from && DAEMON_NAME.test(from.name)) out.push('sender name of a mail system');
  if (isNullReturnPath(msg)) out.push('header Return-Path: <>');
  const returned = msg.parts.find((p) => p.depth > 0 && /^(message\/(rfc822|global)|text\/rfc822-headers|message\/global-headers)$/.test(p.contentType));
  if (returned) out.push(`returned ${returned.contentType} part`);
  return out;
}

/**
 * Whether the top text could be a person's own message: it asks something, or is long enough to
 * be a letter. A notice body ("toto", "I am away") is neither.
 */
function asksAnything(body: BodyReading): boolean {
  return /[?¿]/.test(body.top) || body.top.trim().length >= 400;
}

/**
 * Message disposition notifications (read receipts) and automatic replies with a standard
 * mark: RFC 3834 and older autoresponder headers, MDNs, the null Return-Path. Automatic mail
 * without such a mark is {@link automaticMailSignals}.
 */
export function autoReplySignals(msg: ParsedMessage): Signals {
  return { decisive: strongAutoReply(msg), weak: [] };
}

/**
 * Automatic mail with no standard header (vacation templates of webmail, Thunderbird, Apple
 * Mail, Outlook rules and Lotus Notes; ticket-system acknowledgements; no-reply notifications):
 * a model of subject, sender, headers and body (see {@link automaticEvidence}). Never when the
 * body asks a coding question in the sender's own words. Otherwise automatic with:
 * - an automatic-reply subject and a body that reads like a notice, not a letter (the old rule);
 * - two families of evidence, one of them strong (weight 2), or three families;
 * - two families of evidence in a body that asks nothing;
 * - a body that is plainly a template: three distinct vacation phrases, or two in a body that
 *   asks nothing, or three vacation/notice phrases together in a body that asks nothing.
 * A sender, a header or a body phrase alone never decides.
 */
export function automaticMailSignals(msg: ParsedMessage, body: BodyReading = readBody(msg)): Signals {
  const evidence = automaticEvidence(msg, body);
  const reasons = evidence.map((e) => e.reason);
  if (body.asksCodingQuestion || evidence.length === 0) return { decisive: [], weak: reasons };
  const score = evidence.reduce((sum, e) => sum + e.weight, 0);
  const subject = evidence.find((e) => e.family === 'subject' && e.weight === 2);
  const decided =
    (subject !== undefined && (evidence.length > 1 || !asksAnything(body))) ||
    (evidence.length >= 2 && score >= 3) ||
    (evidence.length >= 2 && !asksAnything(body)) ||
    body.vacation.length >= 3 ||
    (body.notice.length + body.vacation.length >= 3 && !asksAnything(body)) ||
    (body.vacation.length >= 2 && !asksAnything(body));
  return decided ? { decisive: reasons, weak: [] } : { decisive: [], weak: reasons };
}

/** Signals that settle an automatic reply on their own, whatever the body says. */
function strongAutoReply(msg: ParsedMessage): string[] {
  const decisive: string[] = [];
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
  // RFC 5321 §4.5.5: the null reverse-path is reserved for notifications; people never send with it.
  if (isNullReturnPath(msg)) decisive.push('header Return-Path: <>');
  return decisive;
}

interface Evidence {
  family: 'subject' | 'sender' | 'headers' | 'body';
  /** 2: enough with a body that asks nothing; 1: needs another family. */
  weight: number;
  reason: string;
}

/**
 * The sender/structure model of automatic mail that carries no standard header: each family
 * (subject, sender, headers, body) gives at most one piece of evidence.
 */
export function automaticEvidence(msg: ParsedMessage, body: BodyReading): Evidence[] {
  const out: Evidence[] = [];
  const subject = subjectCore(msg.subject);
  if (firstMatch(AUTO_REPLY_SUBJECTS, subject) || firstMatch(VACATION_SUBJECTS, msg.subject.trim())) {
    out.push({ family: 'subject', weight: 2, reason: 'subject looks like an automatic reply' });
  } else if (firstMatch(ACK_SUBJECTS, subject)) out.push({ family: 'subject', weight: 1, reason: 'subject looks like an acknowledgement' });
  else if (firstMatch(NOTICE_SUBJECTS, subject)) out.push({ family: 'subject', weight: 1, reason: 'subject looks like a notification' });
  const localPart = msg.from?.address.split('@')[0] ?? '';
  if (NOREPLY_LOCAL_PART.test(localPart)) out.push({ family: 'sender', weight: 2, reason: 'sender noreply' });
  else if (NOTICE_LOCAL_PART.test(localPart)) out.push({ family: 'sender', weight: 1, reason: 'sender is a notification address' });
  const headers = headerEvidence(msg);
  if (headers) out.push(headers);
  if (body.vacation.length + body.notice.length > 0) {
    const vacation = body.vacation.length >= body.notice.length;
    const count = Math.max(body.vacation.length, body.notice.length);
    const reason = vacation ? 'body reads like a vacation reply' : 'body reads like a notification';
    out.push({ family: 'body', weight: count >= 2 ? 2 : 1, reason });
  }
  return out;
}

function headerEvidence(msg: ParsedMessage): Evidence | null {
  const names = Object.keys(msg.headers);
  const ticket = names.find((n) => TICKET_HEADER.test(n));
  if (ticket || TICKET_MAILER.test(header(msg, 'x-mailer') ?? '')) {
    return { family: 'headers', weight: 2, reason: `header ${ticket ?? 'X-Mailer'} of a ticket system` };
  }
  if (names.includes('x-ms-exchange-inbox-rules-loop')) return { family: 'headers', weight: 2, reason: 'header X-MS-Exchange-Inbox-Rules-Loop' };
  // Outlook's meeting responses (Accepted:/Declined:) carry it; a person's mail does not.
  if (/calendarmessage/i.test(header(msg, 'content-class') ?? '')) return { family: 'headers', weight: 2, reason: 'header Content-Class: calendarmessage' };
  const platform = names.find((n) => PLATFORM_HEADER.test(n));
  if (platform) return { family: 'headers', weight: 1, reason: `header ${platform}` };
  // Exchange puts X-Auto-Response-Suppress on its own automatic mail, but also on some ordinary mail.
  const suppress = header(msg, 'x-auto-response-suppress');
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress)) return { family: 'headers', weight: 1, reason: 'header X-Auto-Response-Suppress' };
  return null;
}

const BULK_CAMPAIGN_HEADER = /^(?:x-campaign(?:id)?|x-mc-user|x-mailchimp-[\w-]+|x-mkto-[\w-]+|x-sfmc-[\w-]+|x-hs-[\w-]+-campaign[\w-]*)$/i;
const BULK_MAILER = /\b(?:mailchimp|constant contact|campaign monitor|sendinblue|brevo|mailerlite|klaviyo|marketo|acoustic campaign)\b/i;
const DIGEST_SUBJECT = /\bdigest,? vol(?:ume)?\.? ?\d+,? issue \d+\b/i;
const DIGEST_TOPICS = /^\s*today's topics:\s*$/im;

/** Mailing lists and bulk mail: list headers (RFC 2369/2919) and Precedence: list/bulk/junk. */
export function listSignals(msg: ParsedMessage): Signals {
  const decisive: string[] = [];
  for (const name of LIST_HEADERS) if (msg.headers[name]) decisive.push(`header ${name}`);
  const precedence = header(msg, 'precedence');
  if (precedence && /^(list|bulk|junk)\b/i.test(precedence)) decisive.push(`header Precedence: ${precedence.toLowerCase().split(/\s/)[0]}`);
  // Campaign mailers (newsletters, marketing): bulk mail even when the List-* headers are gone.
  const campaign = Object.keys(msg.headers).find((n) => BULK_CAMPAIGN_HEADER.test(n));
  if (campaign) decisive.push(`header ${campaign} of a campaign mailer`);
  else if (BULK_MAILER.test(header(msg, 'x-mailer') ?? '')) decisive.push('header X-Mailer of a campaign mailer');
  // A Mailman-style digest whose list headers were stripped: its subject and its table of contents.
  if (DIGEST_SUBJECT.test(msg.subject) && DIGEST_TOPICS.test(msg.text.slice(0, 16 * 1024))) decisive.push('mailing-list digest (subject and topics)');
  const weak = msg.headers['x-loop'] ? ['header X-Loop'] : [];
  return { decisive, weak };
}

function contentSigns(evidence: string[]): string {
  const counts = new Map<string, number>();
  for (const e of evidence) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([e, n]) => (n > 1 ? `${e} ×${n}` : e)).join(', ');
}

/** Verdicts of spam filters upstream of us (SpamAssassin, Exchange, Barracuda, subject tags). */
export function spamSignals(msg: ParsedMessage, body: BodyReading = readBody(msg)): Signals {
  const decisive: string[] = [];
  const content = readSpam(msg, body);
  if (content.gtube) decisive.push('GTUBE test string');
  else if (isContentSpam(content)) decisive.push(`content reads like spam (${contentSigns(content.evidence)})`);
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
  const weak = content.evidence.length > 0 && !isContentSpam(content) ? [`some spam signs (${contentSigns(content.evidence)})`] : [];
  return { decisive, weak };
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
