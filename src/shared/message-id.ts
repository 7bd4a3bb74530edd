import { createHash } from 'node:crypto';

/**
 * Message-ID helpers. Our own Message-IDs are deterministic (derived from what the mail is
 * for), so a resend after a crash carries the same id and threads identically.
 */

/** `<abc@x>` / `abc@x` / ` <ABC@X> ` → `<abc@x>` lower-cased for comparison; null for junk. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  const inner = trimmed.startsWith('<') ? trimmed.slice(1, trimmed.indexOf('>') > 0 ? trimmed.indexOf('>') : undefined) : trimmed;
  const clean = inner.trim();
  if (!clean || /\s/.test(clean)) return null;
  return `<${clean}>`;
}

/** The key threading looks Message-IDs up by: sha256 of the normalised, lower-cased id. */
export function hashMessageId(value: string): string {
  const normal = normalizeMessageId(value) ?? value.trim();
  return createHash('sha256').update(normal.toLowerCase()).digest('hex');
}

/** Every Message-ID in a References / In-Reply-To header value, in order. */
export function splitMessageIds(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const found = text.match(/<[^<>\s]+>/g) ?? [];
  return found.map((id) => normalizeMessageId(id)).filter((id): id is string => id !== null);
}

/** Our deterministic Message-ID for an outgoing mail: `<cd.<case>.<key-hash>@domain>`. */
export function makeMessageId(dedupeKey: string, domain: string, caseId?: number | null): string {
  const digest = createHash('sha256').update(dedupeKey).digest('hex').slice(0, 20);
  return `<cd.${caseId ?? 0}.${digest}@${domain}>`;
}

/**
 * Whether a Message-ID is one CaseDesk made (our own mail coming back): our `cd.<case>.<hash>`
 * shape on one of our domains. The shape matters: coders may write from the same domain as the
 * service (an in-house deployment), and their mail clients put that domain in their ids too.
 */
export function isOwnMessageId(messageId: string | null | undefined, domains: string[]): boolean {
  const normal = normalizeMessageId(messageId);
  if (!normal) return false;
  const match = /^<cd\.\d+\.[0-9a-z]+@([^>]+)>$/i.exec(normal);
  if (!match) return false;
  const domain = match[1].toLowerCase();
  return domains.some((d) => d.toLowerCase() === domain);
}

/** A stand-in id for a message that has none, stable for the stored row. */
export function syntheticMessageId(inboundId: number, domain: string): string {
  return `<no-message-id.${inboundId}@${domain}>`;
}
