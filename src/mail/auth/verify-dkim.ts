import { promises as dns } from 'node:dns';
import { dkimVerify, dmarc, type DNSResolver } from 'mailauth';
import { normalizeDomain } from './alignment.ts';
import type { VerdictWithReasons } from './verdict.ts';

export type { DNSResolver } from 'mailauth';

/** The system's DNS, for production wiring (tests pass a table instead). */
export const systemResolver: DNSResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<string[][] | string[]>;

export interface DkimCheckOptions {
  /** DNS lookups go here and nowhere else (tests answer from a table). */
  resolver: DNSResolver;
  /** Smallest RSA key accepted, in bits (mailauth's default 1024). */
  minBitLength?: number;
  /** "Now" for signature expiry (tests). */
  now?: Date;
}

/**
 * CaseDesk's own check when no trusted server recorded results: verify the DKIM signatures with
 * mailauth and look up the From domain's DMARC policy. SPF is not checked: it needs the address
 * of the server that handed the message over, which only the receiving server knows (put it in
 * AUTHSERV_IDS to use its SPF result).
 *
 * - a passing signature of a domain aligned with From (relaxed) → verified;
 * - a signature of an aligned domain that does not verify (bad signature, body changed, no
 *   such key, key too short) → unverified;
 * - otherwise, when the From domain publishes DMARC with p=reject or p=quarantine (sp= for a
 *   subdomain) → unverified: the domain says its mail always authenticates;
 * - otherwise (no aligned signature, policy none or no DMARC record, a temporary DNS error) →
 *   unknown.
 */
export async function checkDkimAndDmarc(raw: Buffer, fromDomain: string, options: DkimCheckOptions): Promise<VerdictWithReasons> {
  const verified = await dkimVerify(raw, { resolver: options.resolver, minBitLength: options.minBitLength, curTime: options.now });
  // mailauth reports an unsigned message as one result `none` without a domain.
  const signatures = (verified.results ?? []).filter((s) => s.signingDomain);
  const aligned = signatures.filter((s) => s.status.aligned);
  const label = (s: (typeof signatures)[number]): string => `dkim=${s.status.result} (${normalizeDomain(s.signingDomain ?? '')}${s.status.comment ? `: ${s.status.comment}` : ''})`;
  const pass = aligned.find((s) => s.status.result === 'pass');
  if (pass) return { verdict: 'verified', reasons: [label(pass)] };
  const broken = aligned.filter((s) => s.status.result !== 'temperror' && s.status.result !== 'none');
  if (broken.length > 0) return { verdict: 'unverified', reasons: broken.map(label) };
  const temp = aligned.filter((s) => s.status.result === 'temperror').map(label);
  const policy = await dmarc({
    headerFrom: fromDomain,
    spfDomains: [],
    dkimDomains: signatures.filter((s) => s.status.result === 'pass').map((s) => ({ domain: s.signingDomain, aligned: Boolean(s.status.aligned) })),
    resolver: options.resolver,
  });
  const others = signatures.length > aligned.length ? [`${signatures.length - aligned.length} signature(s) of other domains`] : [];
  if (policy && policy.status.result === 'temperror') return { verdict: 'unknown', reasons: [...temp, 'dmarc=temperror', ...others] };
  if (temp.length > 0) return { verdict: 'unknown', reasons: [...temp, ...others] };
  if (policy && policy.status.result === 'fail' && (policy.policy === 'reject' || policy.policy === 'quarantine')) {
    return { verdict: 'unverified', reasons: [`no aligned dkim signature; dmarc policy ${policy.policy} for ${fromDomain}`, ...others] };
  }
  const why = policy && policy.status.result === 'fail' ? `dmarc policy ${policy.policy || 'none'}` : 'no dmarc record';
  return { verdict: 'unknown', reasons: [`no aligned dkim signature; ${why} for ${fromDomain}`, ...others] };
}
