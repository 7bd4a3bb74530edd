import { isAligned, normalizeDomain } from './alignment.ts';
import type { AuthResult } from './authentication-results.ts';

/**
 * What CaseDesk concluded about the sender of one inbound message:
 * - `verified`: the From domain is authenticated (DMARC pass, or a passing DKIM signature or
 *   SPF check for a domain aligned with it);
 * - `unverified`: there is evidence against it (an explicit DMARC, DKIM or SPF failure for the
 *   From domain, or the domain demands authentication with a DMARC reject/quarantine policy and
 *   none is there);
 * - `unknown`: nothing proves or disproves it (no signature and no policy, a temporary DNS error,
 *   a message that could not be read, a time-out).
 */
export type SenderVerdict = 'verified' | 'unverified' | 'unknown';

export interface VerdictWithReasons {
  verdict: SenderVerdict;
  reasons: string[];
}

/**
 * The verdict from the results trusted servers recorded (see selectTrustedResults), for the
 * message's From domain. Rules, per result:
 * - `dmarc=pass` → verified; `dmarc=fail` → evidence against. A DMARC result naming another
 *   domain in `header.from` is not about this message's From and is skipped.
 * - `dkim=pass` with `header.d` (or the domain of `header.i`) aligned with the From domain
 *   (relaxed: same organizational domain) → verified; `dkim=fail` for an aligned domain →
 *   evidence against. A passing signature of another domain (a mailing service) proves nothing.
 * - `spf=pass` with `smtp.mailfrom` aligned → verified; `spf=fail` (hard fail) aligned →
 *   evidence against. `softfail` and `neutral` prove nothing.
 * - `temperror` on any of these (aligned) → the check could not finish.
 * Any pass wins (a downstream server's failing re-check of a forwarded message does not undo
 * the entry server's pass); else any evidence against gives `unverified`; else a temporary error
 * gives `unknown`. Null when no result says anything about the From domain (`dkim=none`,
 * `spf=softfail`, a pass for another domain): the caller then checks for itself.
 */
export function verdictFromResults(results: AuthResult[], fromDomain: string): VerdictWithReasons | null {
  const passes: string[] = [];
  const fails: string[] = [];
  const temps: string[] = [];
  for (const r of results) {
    const about = domainOf(r);
    if (about === null) continue;
    if (r.method === 'dmarc' ? about !== '' && normalizeDomain(about) !== normalizeDomain(fromDomain) : !isAligned(about, fromDomain)) continue;
    const label = `${r.method}=${r.result}${about ? ` (${normalizeDomain(about)})` : ''}`;
    if (r.result === 'pass') passes.push(label);
    else if (r.result === 'fail') fails.push(label);
    else if (r.result === 'temperror') temps.push(label);
  }
  if (passes.length > 0) return { verdict: 'verified', reasons: passes };
  if (fails.length > 0) return { verdict: 'unverified', reasons: fails };
  if (temps.length > 0) return { verdict: 'unknown', reasons: temps };
  return null;
}

/**
 * The domain a result is about: DMARC's `header.from` ('' when absent: then it is about the
 * message's From), DKIM's `header.d` / `header.i`, SPF's `smtp.mailfrom`. Null for other methods
 * and for a DKIM/SPF result that names no domain.
 */
function domainOf(r: AuthResult): string | null {
  switch (r.method) {
    case 'dmarc':
      return r.props['header.from'] ?? '';
    case 'dkim': {
      const d = r.props['header.d'] ?? r.props['header.i'];
      return d ? normalizeDomain(d) : null;
    }
    case 'spf': {
      const from = r.props['smtp.mailfrom'];
      return from ? normalizeDomain(from) : null;
    }
    default:
      return null;
  }
}
