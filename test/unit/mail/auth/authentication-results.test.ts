import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults } from '../../../../src/mail/auth/index.ts';

describe('parseAuthenticationResults (RFC 8601)', () => {
  it('reads the authserv-id, each method=result and its properties, dropping comments', () => {
    expect(
      parseAuthenticationResults(
        'mx.google.com; dkim=pass header.i=@clinic.example header.s=sel1 header.b=AbC123; spf=pass (google.com: domain of coder@clinic.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=coder@clinic.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=clinic.example',
      ),
    ).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', props: { 'header.i': '@clinic.example', 'header.s': 'sel1', 'header.b': 'AbC123' } },
        { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'coder@clinic.example' } },
        { method: 'dmarc', result: 'pass', props: { 'header.from': 'clinic.example' } },
      ],
    });
  });

  it('takes a version after the authserv-id, nested comments, quoted values with ; inside', () => {
    expect(parseAuthenticationResults('MX.Casedesk.Example 1; dkim=fail (bad (really) sig) reason="key; revoked" header.d=clinic.example')).toEqual({
      authservId: 'mx.casedesk.example',
      results: [{ method: 'dkim', result: 'fail', props: { reason: 'key; revoked', 'header.d': 'clinic.example' } }],
    });
  });

  it('reads a quoted authserv-id and "none"', () => {
    expect(parseAuthenticationResults('"mx.example.org"; none')).toEqual({ authservId: 'mx.example.org', results: [] });
  });

  it('has no authserv-id when the field starts with a result (Microsoft 365)', () => {
    const parsed = parseAuthenticationResults('spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=clinic.example; dkim=pass (signature was verified) header.d=clinic.example;dmarc=pass action=none header.from=clinic.example;');
    expect(parsed.authservId).toBeNull();
    expect(parsed.results.map((r) => `${r.method}=${r.result}`)).toEqual(['spf=pass', 'dkim=pass', 'dmarc=pass']);
  });

  it('never throws on garbage', () => {
    for (const v of ['', ';;;', '(((', '"unterminated; dkim=pass', 'x; =pass; dkim=; 1=2', '\u0000'.repeat(10), 'a;'.repeat(20_000)]) {
      expect(() => parseAuthenticationResults(v)).not.toThrow();
    }
  });
});
