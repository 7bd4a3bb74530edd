import { parseAuthenticationResults, type AuthResult } from './authentication-results.ts';
import type { HeaderField } from './header-fields.ts';

/** The results one trusted server recorded, from the one header field of it that counts. */
export interface TrustedResults {
  authservId: string;
  results: AuthResult[];
  /** Index of the field in the header, top-down (for tests and reasons). */
  index: number;
}

export interface TrustedSelection {
  used: TrustedResults[];
  /** Why other Authentication-Results fields naming a trusted server were not used. */
  ignored: string[];
}

/**
 * Which `Authentication-Results` fields CaseDesk believes, given the authserv-ids of the
 * receiving servers it trusts (AUTHSERV_IDS).
 *
 * Anyone can write an `Authentication-Results` field into the mail they send, claiming any
 * server's name. A field is only believable when the trusted server itself added it, i.e. when it
 * sits in the part of the header written after the message reached the trusted server. Header
 * fields are prepended, so that part is the top of the header, and `Received` lines mark the hops.
 *
 * The rule ("hop" = a `Received` line; its `by` host is the server that added it):
 * 1. A hop is trusted when its `by` host is a trusted authserv-id or a subdomain of one
 *    (`by mx2.mail.example` under authserv-id `mail.example`).
 * 2. The entry hop is the lowest trusted hop of the first unbroken run of trusted hops from the
 *    top (hops above the first trusted one are the delivery on the receiving side: LMTP,
 *    internal relays, and count as trusted). The first `Received` line below the entry hop is
 *    the first untrusted hop: it and everything below it came from the sender's side.
 * 3. A field naming a trusted server counts only above that first untrusted hop. This allows
 *    both places servers put it: above their own `Received` line (Postfix with a milter,
 *    Rspamd) and directly below it (Gmail, Google Workspace).
 * 4. Of the fields naming one trusted server in that zone, only the topmost counts: the server
 *    adds its own field on top of whatever the message carried (RFC 8601 §5 also asks it to
 *    remove forged ones). A forged field placed right below the server's `Received` line can sit
 *    in the zone of rule 3, but it is never the topmost, provided the server always adds its own.
 * 5. With no trusted hop at all (the message never passed a trusted server, e.g. it was
 *    appended over IMAP), no field counts.
 * Fields without an authserv-id, or naming a server not in the list, never count.
 */
export function selectTrustedResults(fields: HeaderField[], authservIds: string[]): TrustedSelection {
  const ids = authservIds.map((id) => id.trim().toLowerCase()).filter(Boolean);
  const selection: TrustedSelection = { used: [], ignored: [] };
  if (ids.length === 0) return selection;
  const boundary = trustedZoneEnd(fields, ids);
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    if (field.name !== 'authentication-results') return;
    const parsed = parseAuthenticationResults(field.value);
    const id = parsed.authservId;
    if (!id || !ids.includes(id)) return;
    if (boundary === null) {
      if (!seen.has(id)) selection.ignored.push(`authentication-results from ${id} ignored: no Received line by a trusted server`);
      seen.add(id);
      return;
    }
    if (index >= boundary) {
      selection.ignored.push(`authentication-results from ${id} below an untrusted hop ignored`);
      return;
    }
    if (seen.has(id)) {
      selection.ignored.push(`authentication-results from ${id} not the topmost one, ignored`);
      return;
    }
    seen.add(id);
    selection.used.push({ authservId: id, results: parsed.results, index });
  });
  return selection;
}

/** Index of the first untrusted hop's Received line (the zone is above it), or null when no hop is trusted. */
function trustedZoneEnd(fields: HeaderField[], ids: string[]): number | null {
  const hops = fields.flatMap((f, i) => (f.name === 'received' ? [{ index: i, trusted: isTrustedHost(byHost(f.value), ids) }] : []));
  const first = hops.findIndex((h) => h.trusted);
  if (first < 0) return null;
  let entry = first;
  while (entry + 1 < hops.length && hops[entry + 1]!.trusted) entry++;
  return hops[entry + 1]?.index ?? fields.length;
}

/** The `by` host of a Received line (`… by mx.google.com with ESMTPS id …`), lower case, or null. */
export function byHost(received: string): string | null {
  const m = /(?:^|[\s;)])by\s+([^\s;()]+)/i.exec(received);
  return m ? m[1]!.toLowerCase().replace(/\.$/, '') : null;
}

function isTrustedHost(host: string | null, ids: string[]): boolean {
  if (!host) return false;
  return ids.some((id) => host === id || host.endsWith(`.${id}`));
}
