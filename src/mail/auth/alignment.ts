import { getDomain } from 'tldts';

/**
 * The organizational domain (RFC 7489 §3.2) of a domain, by the public suffix list:
 * `mail.clinic.example.co.uk` → `example.co.uk`. The domain itself when the list knows none.
 */
export function organizationalDomain(domain: string): string {
  const d = normalizeDomain(domain);
  return getDomain(d, { allowIcannDomains: true, allowPrivateDomains: true }) ?? d;
}

/** Relaxed alignment (DMARC): both domains share an organizational domain. */
export function isAligned(domain: string | null | undefined, fromDomain: string | null | undefined): boolean {
  if (!domain || !fromDomain) return false;
  return organizationalDomain(domain) === organizationalDomain(fromDomain);
}

/** Lower case, no trailing dot; the domain part when given an address (`a@b.example` → `b.example`). */
export function normalizeDomain(value: string): string {
  const at = value.lastIndexOf('@');
  return (at >= 0 ? value.slice(at + 1) : value).trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
}
