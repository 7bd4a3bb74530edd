import { BOUNCE_BODY, firstMatch } from './classify-rules.ts';
import { bounceSignals, header } from './classify-signals.ts';
import type { ParsedMessage } from './parsed-message.ts';

/** What a bounce says about the message it returns. */
export interface BounceReport {
  /**
   * Message-IDs (as `<id>`) of the returned message, best evidence first: the headers of a
   * returned message/rfc822 or text/rfc822-headers part, then `Message-ID:` lines quoted in a
   * plain-text bounce, then the bounce's own In-Reply-To / References (some MTAs thread their
   * notice under the original). The caller matches them against its own outbox.
   */
  returnedMessageIds: string[];
  /**
   * RFC 3463 enhanced status code (`5.1.1`) when the bounce gives one; for MTAs that give only
   * an SMTP reply code, that code (`550`). A 4 in front means a delay, not a failure.
   */
  status: string | null;
  /** The remote server's words (Diagnostic-Code, or the SMTP reply line of a plain bounce). */
  diagnostic: string | null;
  /** The address that failed. */
  recipient: string | null;
  /** DSN Action (`failed`, `delayed`, …); for plain bounces inferred from the status class. */
  action: string | null;
}

interface DsnRecipient {
  [field: string]: string;
}

const MAX_DIAGNOSTIC = 500;
/** Plain-text delay warnings: the MTA is still trying. */
const WARNING_ONLY = /\b(warning|delayed|will (be )?retr(y|ied)|still trying|not yet been delivered)\b/i;

/** A per-recipient group that reports a failure: Action failed, or a 5.x.x status without a success action. */
function isFailure(r: DsnRecipient): boolean {
  const action = (r['action'] ?? '').toLowerCase();
  if (action.startsWith('failed')) return true;
  if (/^(delivered|relayed|expanded|delayed)/.test(action)) return false;
  return /^5/.test(r['status'] ?? '');
}

/**
 * Read a bounce: which of our messages came back, why, and for whom. Returns null when the
 * message is not a bounce (the same test `classifyMessage` uses for the `bounce` kind), and
 * for delivery notices that report no failure (delay warnings, success DSNs), which
 * `classifyMessage` still calls `bounce` (automatic, never answered) but which must not mark
 * an outbox row bounced.
 * RFC 3464 delivery-status fields are preferred; plain-text bounces are read for quoted
 * headers, status codes and the SMTP reply line.
 */
export function readBounce(msg: ParsedMessage): BounceReport | null {
  if (bounceSignals(msg).decisive.length === 0) return null;
  const text = msg.text.slice(0, 64 * 1024);
  const fromParts = msg.parts
    .filter((p) => /^message\/(global-)?delivery-status$/.test(p.contentType) && p.content)
    .flatMap((p) => parseDeliveryStatus(p.content as string));
  // Some MTAs (and broken structures) put the delivery-status fields in the text itself.
  const recipients = fromParts.length > 0 ? fromParts : parseDeliveryStatus(text).filter((r) => r['final-recipient'] && r['status']);
  const chosen = recipients.find((r) => /^failed/i.test(r['action'] ?? ''))
    ?? recipients.find((r) => /^5/.test(r['status'] ?? ''))
    ?? recipients[0];
  // A notice that reports no failure (a delay warning, a success DSN) is not a bounce: the
  // message may still arrive, so no outbox row may be marked bounced on its account.
  if (recipients.length > 0 && !recipients.some(isFailure)) return null;

  const status = cleanStatus(chosen?.['status']) ?? statusFromText(text);
  const diagnostic = stripType(chosen?.['diagnostic-code']) ?? diagnosticFromText(text, status);
  const recipient = stripType(chosen?.['final-recipient']) ?? stripType(chosen?.['original-recipient'])
    ?? header(msg, 'x-failed-recipients')?.split(',')[0].trim() ?? recipientFromText(text);
  if (recipients.length === 0 && status?.startsWith('4') && WARNING_ONLY.test(`${msg.subject}\n${text.slice(0, 4096)}`)) return null;
  const action = chosen?.['action']?.toLowerCase().split(/\s/)[0]
    ?? (status?.startsWith('5') ? 'failed' : status?.startsWith('4') ? 'delayed' : null);
  return {
    returnedMessageIds: returnedIds(msg, text),
    status,
    diagnostic: diagnostic ? diagnostic.slice(0, MAX_DIAGNOSTIC) : null,
    recipient: recipient ? recipient.replace(/^<|>$/g, '') : null,
    action,
  };
}

/** Per-recipient field groups of a message/delivery-status body (the first group is per-message). */
export function parseDeliveryStatus(content: string): DsnRecipient[] {
  const groups = content.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/).map((block) => {
    const fields: DsnRecipient = {};
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const match = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line.trim());
      if (match && !(match[1].toLowerCase() in fields)) fields[match[1].toLowerCase()] = match[2].trim();
    }
    return fields;
  });
  return groups.filter((g) => g['final-recipient'] || g['original-recipient'] || g['action'] || g['status']);
}

function returnedIds(msg: ParsedMessage, text: string): string[] {
  const ids: string[] = [];
  for (const part of msg.parts) ids.push(...(part.headers?.['message-id'] ?? []));
  for (const match of text.matchAll(/^[ \t>]*Message-ID:\s*(<[^<>\s]+>)/gim)) ids.push(match[1]);
  ids.push(...(msg.inReplyTo ? [msg.inReplyTo] : []), ...msg.references);
  const own = normal(msg.messageId ?? '');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids.map(normal)) {
    if (id && id !== own && !seen.has(id.toLowerCase())) {
      seen.add(id.toLowerCase());
      out.push(id);
    }
  }
  return out;
}

function normal(id: string): string | null {
  const match = /<?\s*([^<>\s]+@[^<>\s]+)\s*>?/.exec(id);
  return match ? `<${match[1]}>` : null;
}

function cleanStatus(value: string | undefined): string | null {
  const match = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(value ?? '');
  return match ? match[1] : null;
}

/** `rfc822; a@b` → `a@b`, `smtp; 550 …` → `550 …` (the type before `;` is not part of the value). */
function stripType(value: string | undefined): string | null {
  if (!value) return null;
  const stripped = value.replace(/^[A-Za-z0-9-]+\s*;\s*/, '').trim();
  return stripped || null;
}

function statusFromText(text: string): string | null {
  // An enhanced code only where MTAs write one: after an SMTP reply code, `#`, `Status:` or `(`.
  const enhanced = /(?:\b[245]\d\d[ -]|#|status:?\s*|\()([245]\.\d{1,3}\.\d{1,3})\b/i.exec(text);
  if (enhanced) return enhanced[1];
  // Otherwise a bare SMTP reply code at the start of a reply line (`550 - Requested action …`).
  const basic = /(?:^|[\s(:])([45][0-5]\d)(?:[ -]+[A-Za-z<]|$)/m.exec(text);
  return basic ? basic[1] : null;
}

function diagnosticFromText(text: string, status: string | null): string | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const withCode = status ? lines.find((l) => l.includes(status)) : undefined;
  return withCode ?? lines.find((l) => firstMatch(BOUNCE_BODY, l) !== null) ?? null;
}

function recipientFromText(text: string): string | null {
  const near = /(?:RCPT TO|recipient|to|for|address)\s*:?\s*<?([^\s<>()"',;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?/i.exec(text);
  if (near) return near[1];
  const any = /<([^\s<>()"',;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>/.exec(text);
  return any ? any[1] : null;
}
