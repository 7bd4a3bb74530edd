import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, verdictFromResults } from '../../../../src/mail/auth/index.ts';

const verdict = (ar: string, from = 'clinic.example'): string | null => {
  const v = verdictFromResults(parseAuthenticationResults(`mx.example; ${ar}`).results, from);
  return v ? `${v.verdict}: ${v.reasons.join(', ')}` : null;
};

describe('verdictFromResults', () => {
  const rows: Array<[string, string, string | null]> = [
    ['dmarc pass', 'dmarc=pass header.from=clinic.example', 'verified: dmarc=pass (clinic.example)'],
    ['dmarc pass without header.from', 'dmarc=pass', 'verified: dmarc=pass'],
    ['aligned dkim pass (relaxed: signing subdomain)', 'dkim=pass header.d=mail.clinic.example', 'verified: dkim=pass (mail.clinic.example)'],
    ['aligned dkim pass by header.i', 'dkim=pass header.i=@clinic.example', 'verified: dkim=pass (clinic.example)'],
    ['aligned spf pass', 'spf=pass smtp.mailfrom=bounces@clinic.example', 'verified: spf=pass (clinic.example)'],
    ['dkim pass of a mailing service only', 'dkim=pass header.d=mailer.example; spf=pass smtp.mailfrom=bounce@mailer.example', null],
    ['public suffix: other.co.uk is not clinic.co.uk', 'dkim=pass header.d=other.co.uk', null],
    ['dmarc fail', 'dkim=none; spf=softfail smtp.mailfrom=x@clinic.example; dmarc=fail header.from=clinic.example', 'unverified: dmarc=fail (clinic.example)'],
    ['aligned dkim fail', 'dkim=fail header.d=clinic.example', 'unverified: dkim=fail (clinic.example)'],
    ['aligned spf hard fail', 'spf=fail smtp.mailfrom=x@clinic.example', 'unverified: spf=fail (clinic.example)'],
    ['softfail and neutral say nothing', 'spf=softfail smtp.mailfrom=x@clinic.example; dkim=neutral header.d=clinic.example', null],
    ['none says nothing', 'dkim=none; spf=none smtp.mailfrom=x@clinic.example; dmarc=none header.from=clinic.example', null],
    ['temperror', 'dkim=temperror header.d=clinic.example', 'unknown: dkim=temperror (clinic.example)'],
    ['any pass wins over a failure', 'dkim=fail header.d=clinic.example; dkim=pass header.d=clinic.example', 'verified: dkim=pass (clinic.example)'],
    ['dmarc about another From domain is skipped', 'dmarc=pass header.from=other.example', null],
  ];
  it.each(rows)('%s', (_name, ar, want) => expect(verdict(ar)).toBe(want));
});
