import addressparser from 'nodemailer/lib/addressparser';
import { normalizeDomain } from './alignment.ts';
import { readHeaderFields, type HeaderField } from './header-fields.ts';
import { selectTrustedResults } from './trusted-results.ts';
import { verdictFromResults, type SenderVerdict } from './verdict.ts';
import { checkDkimAndDmarc, type DNSResolver } from './verify-dkim.ts';

/** SENDER_AUTH: `off` skips the check, `report` shows it, `enforce` acts on it (see sender-policy.ts). */
export type SenderAuthMode = 'off' | 'report' | 'enforce';

export interface SenderAuthOptions {
  /** AUTHSERV_IDS: the receiving servers whose Authentication-Results CaseDesk believes. */
  authservIds: string[];
  /** DNS for the DKIM/DMARC check (node:dns `resolve` in production, a table in tests). */
  resolver: DNSResolver;
  mode: SenderAuthMode;
  /** Give up after this long with `unknown` (default 10 s). */
  timeoutMs?: number;
  /** Larger messages are not checked (default 40 MiB): `unknown`. */
  maxBytes?: number;
  /** For DKIM expiry (tests). */
  now?: Date;
}

export interface SenderAuthResult {
  verdict: SenderVerdict;
  /** Short and free of message content: results, domains, selectors' outcomes. */
  reasons: string[];
  /** The From address's domain (lower case), null when From is missing or not one address. */
  fromDomain: string | null;
  /** What decided: a trusted server's header, CaseDesk's own DKIM/DMARC check, or nothing. */
  method: 'trusted-header' | 'dkim' | 'none';
}

/**
 * Decide once per inbound message whether its sender is who the From address says:
 * 1. the From field must hold exactly one address with a domain, else `unknown`;
 * 2. Authentication-Results from the trusted servers (AUTHSERV_IDS), chosen by the hop rule of
 *    selectTrustedResults, decide when they say anything about the From domain (verdictFromResults);
 * 3. otherwise CaseDesk verifies DKIM and looks up DMARC itself (checkDkimAndDmarc), asking DNS
 *    only through `resolver`.
 * Async; never throws (hostile or broken input gives `unknown` with the reason); answers within
 * `timeoutMs`. In mode `off` it checks nothing.
 */
export async function authenticateSender(raw: Buffer, options: SenderAuthOptions): Promise<SenderAuthResult> {
  if (options.mode === 'off') return { verdict: 'unknown', reasons: ['sender authentication is off'], fromDomain: null, method: 'none' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SenderAuthResult>((resolve) => {
    timer = setTimeout(() => resolve({ verdict: 'unknown', reasons: ['sender authentication timed out'], fromDomain: null, method: 'none' }), options.timeoutMs ?? 10_000);
  });
  try {
    return await Promise.race([decide(raw, options), timeout]);
  } catch (err) {
    return { verdict: 'unknown', reasons: [`sender authentication failed (${errorKind(err)})`], fromDomain: null, method: 'none' };
  } finally {
    clearTimeout(timer);
  }
}

async function decide(raw: Buffer, options: SenderAuthOptions): Promise<SenderAuthResult> {
  if (raw.length > (options.maxBytes ?? 40 * 1024 * 1024)) return { verdict: 'unknown', reasons: ['message too large to verify'], fromDomain: null, method: 'none' };
  const { fields, truncated } = readHeaderFields(raw);
  if (truncated) return { verdict: 'unknown', reasons: ['header too large to verify'], fromDomain: null, method: 'none' };
  const from = fromDomainOf(fields);
  if (typeof from !== 'string') return { verdict: 'unknown', reasons: [from.reason], fromDomain: null, method: 'none' };
  const trusted = selectTrustedResults(fields, options.authservIds);
  const by = `by ${trusted.used.map((t) => t.authservId).join(', ')}`;
  const header = trusted.used.length > 0 ? verdictFromResults(trusted.used.flatMap((t) => t.results), from) : null;
  // A trusted pass or failure decides; a trusted temporary error is retried by our own check.
  if (header && header.verdict !== 'unknown') {
    return { verdict: header.verdict, reasons: [...header.reasons.map((r) => `${r} ${by}`), ...trusted.ignored], fromDomain: from, method: 'trusted-header' };
  }
  const own = await checkDkimAndDmarc(raw, from, { resolver: options.resolver, now: options.now });
  const earlier = header ? header.reasons.map((r) => `${r} ${by}`) : [];
  return { verdict: own.verdict, reasons: [...earlier, ...own.reasons, ...trusted.ignored], fromDomain: from, method: 'dkim' };
}

/** The domain of the single From address, or why there is none. */
function fromDomainOf(fields: HeaderField[]): string | { reason: string } {
  const from = fields.filter((f) => f.name === 'from');
  if (from.length !== 1) return { reason: from.length === 0 ? 'no From field' : 'more than one From field' };
  const addresses = addressparser(from[0]!.value, { flatten: true }).filter((a) => a.address);
  if (addresses.length !== 1) return { reason: addresses.length === 0 ? 'no address in From' : 'more than one address in From' };
  const address = addresses[0]!.address;
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? normalizeDomain(address) : '';
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i.test(domain) && !/^[^\s@.]+(?:\.[^\s@.]+)+$/u.test(domain)) {
    return { reason: 'From address has no valid domain' };
  }
  return domain;
}

/** Class and code of an unexpected error, never its message (which could quote the message). */
function errorKind(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? `${err.name} ${code}` : err.name;
}
