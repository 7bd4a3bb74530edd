import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

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

/**
 * The key of our Message-ID tags, derived (HKDF) from a secret every CaseDesk process shares
 * (the master key DATA_KEY): one key per secret, never the secret itself.
 */
export function messageIdTagKey(secret: Buffer | string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'casedesk message-id tag v1', 32));
}

const TAG_CHARS = 20;

function idTag(base: string, domain: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${base}@${domain.toLowerCase()}`).digest('hex').slice(0, TAG_CHARS);
}

/**
 * Our deterministic Message-ID for an outgoing mail: `<cd.<case>.<key-hash>.<tag>@domain>`. The
 * tag (an HMAC under `tagKey`, 80 bits) makes the id unforgeable: the copy that comes back to
 * the service mailbox confirms a send only when its tag verifies (verifyOwnMessageId). Without
 * a key, the untagged form `<cd.<case>.<key-hash>@domain>` of ids issued before tags existed.
 */
export function makeMessageId(dedupeKey: string, domain: string, caseId?: number | null, tagKey?: Buffer | null): string {
  const digest = createHash('sha256').update(dedupeKey).digest('hex').slice(0, 20);
  const base = `cd.${caseId ?? 0}.${digest}`;
  return tagKey ? `<${base}.${idTag(base, domain, tagKey)}@${domain}>` : `<${base}@${domain}>`;
}

const OWN_SHAPE = /^<(cd\.\d+\.[0-9a-z]+)(?:\.([0-9a-z]+))?@([^>]+)>$/i;

/**
 * Whether a Message-ID is one CaseDesk made (our own mail coming back): our `cd.<case>.<hash>`
 * shape (tagged or not) on one of our domains. The shape matters: coders may write from the
 * same domain as the service (an in-house deployment), and their mail clients put that domain
 * in their ids too.
 */
export function isOwnMessageId(messageId: string | null | undefined, domains: string[]): boolean {
  const normal = normalizeMessageId(messageId);
  if (!normal) return false;
  const match = OWN_SHAPE.exec(normal);
  if (!match) return false;
  const domain = match[3].toLowerCase();
  return domains.some((d) => d.toLowerCase() === domain);
}

/**
 * What an id in our own shape proves: `tagged` (its tag verifies under one of `keys`: we made
 * it), `forged` (it carries a tag that verifies under none), `untagged` (the form issued before
 * tags: anyone who can guess the key hash can make one), `not-ours` (not our shape).
 */
export function verifyOwnMessageId(messageId: string | null | undefined, keys: readonly Buffer[]): 'tagged' | 'forged' | 'untagged' | 'not-ours' {
  const normal = normalizeMessageId(messageId);
  const match = normal ? OWN_SHAPE.exec(normal) : null;
  if (!match) return 'not-ours';
  const [, base, tag, domain] = match;
  if (!tag) return 'untagged';
  const given = Buffer.from(tag.toLowerCase());
  const ok = keys.some((key) => {
    const expected = Buffer.from(idTag(base.toLowerCase(), domain, key));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return ok ? 'tagged' : 'forged';
}

/** A stand-in id for a message that has none, stable for the stored row. */
export function syntheticMessageId(inboundId: number, domain: string): string {
  return `<no-message-id.${inboundId}@${domain}>`;
}
