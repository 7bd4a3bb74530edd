import dns from 'node:dns';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { authenticateSender, type SenderAuthOptions } from '../../../../src/mail/auth/index.ts';
import { ed25519Key, message, rsaKey, sign, tableResolver, type DnsTable, type TestKey, type TableResolver } from '../../../support/dns-table.ts';

let clinicKey: TestKey;
let mailerKey: TestKey;
let edKey: TestKey;
let shortKey: TestKey;
let table: DnsTable;
let resolver: TableResolver;

beforeAll(() => {
  clinicKey = rsaKey();
  mailerKey = rsaKey();
  edKey = ed25519Key();
  shortKey = rsaKey(512);
});

beforeEach(() => {
  table = {
    'TXT s1._domainkey.clinic.example': [[clinicKey.record]],
    'TXT ed._domainkey.clinic.example': [[edKey.record]],
    'TXT weak._domainkey.clinic.example': [[shortKey.record]],
    'TXT m1._domainkey.mail.clinic.example': [[clinicKey.record]],
    'TXT k1._domainkey.mailer.example': [[mailerKey.record]],
    'TXT _dmarc.clinic.example': [['v=DMARC1; p=reject; rua=mailto:d@clinic.example']],
    'TXT _dmarc.lax.example': [['v=DMARC1; p=none']],
    'TXT _dmarc.strict.example': [['v=DMARC1; p=quarantine']],
    'TXT _dmarc.flaky.example': Object.assign(new Error('queryTxt ETIMEOUT _dmarc.flaky.example'), { code: 'ETIMEOUT' }),
    'TXT s1._domainkey.flaky.example': Object.assign(new Error('queryTxt ESERVFAIL'), { code: 'ESERVFAIL' }),
  };
  resolver = tableResolver(table);
  // No network: the system resolver must never be asked.
  vi.spyOn(dns.promises, 'resolve').mockRejectedValue(new Error('network DNS used in a test'));
  vi.spyOn(dns.promises, 'resolveTxt').mockRejectedValue(new Error('network DNS used in a test'));
});

afterEach(() => {
  expect(dns.promises.resolve).not.toHaveBeenCalled();
  expect(dns.promises.resolveTxt).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

const opts = (extra: Partial<SenderAuthOptions> = {}): SenderAuthOptions => ({ authservIds: ['mx.casedesk.example'], resolver, mode: 'report', ...extra });
const NOW = new Date('2025-01-13T10:05:00Z');

describe('authenticateSender: own DKIM and DMARC check (no trusted header)', () => {
  it('a genuine message signed by the From domain is verified', async () => {
    const raw = await sign(message('Coder <coder@clinic.example>'), clinicKey, { domain: 'clinic.example', selector: 's1' });
    expect(await authenticateSender(raw, opts())).toEqual({ verdict: 'verified', reasons: ['dkim=pass (clinic.example)'], fromDomain: 'clinic.example', method: 'dkim' });
    expect(resolver.asked).toEqual(['TXT s1._domainkey.clinic.example']);
  });

  it('an ed25519 signature and a signing subdomain (relaxed alignment) verify too', async () => {
    const ed = await sign(message('coder@clinic.example'), edKey, { domain: 'clinic.example', selector: 'ed', algorithm: 'ed25519-sha256' });
    expect((await authenticateSender(ed, opts())).verdict).toBe('verified');
    const sub = await sign(message('coder@clinic.example'), clinicKey, { domain: 'mail.clinic.example', selector: 'm1' });
    expect(await authenticateSender(sub, opts())).toMatchObject({ verdict: 'verified', reasons: ['dkim=pass (mail.clinic.example)'] });
  });

  it('a spoofed subscriber address without a signature, at a domain with p=reject, is unverified', async () => {
    const result = await authenticateSender(Buffer.from(message('coder@clinic.example')), opts());
    expect(result).toEqual({ verdict: 'unverified', reasons: ['no aligned dkim signature; dmarc policy reject for clinic.example'], fromDomain: 'clinic.example', method: 'dkim' });
    expect(resolver.unknown).toEqual([]);
  });

  it('a changed body, a wrong key, a missing key, an expired or weak signature: unverified', async () => {
    const signed = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 's1' });
    const changed = Buffer.from(signed.toString().replace('97760', '97761'));
    expect(await authenticateSender(changed, opts())).toMatchObject({ verdict: 'unverified', reasons: ['dkim=neutral (clinic.example: body hash did not verify)'] });
    const wrongKey = await sign(message('coder@clinic.example'), mailerKey, { domain: 'clinic.example', selector: 's1' });
    expect(await authenticateSender(wrongKey, opts())).toMatchObject({ verdict: 'unverified', reasons: ['dkim=fail (clinic.example: bad signature)'] });
    const noKey = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 'gone' });
    expect(await authenticateSender(noKey, opts())).toMatchObject({ verdict: 'unverified', reasons: ['dkim=neutral (clinic.example: no key)'] });
    const expired = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 's1', signTime: new Date('2025-01-01T00:00:00Z'), expires: new Date('2025-01-02T00:00:00Z') });
    expect(await authenticateSender(expired, opts({ now: NOW }))).toMatchObject({ verdict: 'unverified', reasons: ['dkim=neutral (clinic.example: expired)'] });
    const weak = await sign(message('coder@clinic.example'), shortKey, { domain: 'clinic.example', selector: 'weak' });
    expect((await authenticateSender(weak, opts())).verdict).toBe('unverified');
  });

  it('only a mailing service’s signature: unverified under p=quarantine, unknown without DMARC', async () => {
    const strict = await sign(message('coder@strict.example'), mailerKey, { domain: 'mailer.example', selector: 'k1' });
    expect(await authenticateSender(strict, opts())).toMatchObject({
      verdict: 'unverified',
      reasons: ['no aligned dkim signature; dmarc policy quarantine for strict.example', '1 signature(s) of other domains'],
    });
    const open = await sign(message('coder@nodmarc.example'), mailerKey, { domain: 'mailer.example', selector: 'k1' });
    expect(await authenticateSender(open, opts())).toMatchObject({ verdict: 'unknown', reasons: ['no aligned dkim signature; no dmarc record for nodmarc.example', '1 signature(s) of other domains'] });
  });

  it('p=none, no DMARC record or a DNS failure: unknown', async () => {
    expect(await authenticateSender(Buffer.from(message('a@lax.example')), opts())).toMatchObject({ verdict: 'unknown', reasons: ['no aligned dkim signature; dmarc policy none for lax.example'] });
    expect(await authenticateSender(Buffer.from(message('a@flaky.example')), opts())).toMatchObject({ verdict: 'unknown', reasons: ['dmarc=temperror'] });
    const keyFails = await sign(message('a@flaky.example'), clinicKey, { domain: 'flaky.example', selector: 's1' });
    expect(await authenticateSender(keyFails, opts())).toMatchObject({ verdict: 'unknown', reasons: ['dkim=temperror (flaky.example: DNS failure: ESERVFAIL)', 'dmarc=temperror'] });
  });
});

/** What our receiving server writes on top of a message it accepted from `client`. */
const hop = (client: string): string => `Received: from ${client} (${client} [192.0.2.10]) by mx.casedesk.example (Postfix) with ESMTPS id 4Y; Mon, 13 Jan 2025 10:00:01 +0000`;

describe('authenticateSender: Authentication-Results of a trusted server', () => {
  it('a trusted pass decides without any DNS lookup', async () => {
    const raw = Buffer.from(message('coder@clinic.example', ['Authentication-Results: mx.casedesk.example; spf=pass smtp.mailfrom=coder@clinic.example; dkim=none', hop('mail.clinic.example')]));
    expect(await authenticateSender(raw, opts())).toEqual({
      verdict: 'verified',
      reasons: ['spf=pass (clinic.example) by mx.casedesk.example'],
      fromDomain: 'clinic.example',
      method: 'trusted-header',
    });
    expect(resolver.asked).toEqual([]);
  });

  it('a trusted failure decides even when the message carries a valid signature', async () => {
    const signed = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 's1' });
    const raw = Buffer.concat([Buffer.from(`Authentication-Results: mx.casedesk.example; dmarc=fail header.from=clinic.example\r\n${hop('relay.example')}\r\n`), signed]);
    expect(await authenticateSender(raw, opts())).toMatchObject({ verdict: 'unverified', method: 'trusted-header', reasons: ['dmarc=fail (clinic.example) by mx.casedesk.example'] });
  });

  it('a forged pass below an untrusted hop is ignored, and the own check decides', async () => {
    const raw = Buffer.from(
      message('coder@clinic.example', [hop('relay.attacker.example'), 'Received: from laptop by relay.attacker.example', 'Authentication-Results: mx.casedesk.example; dmarc=pass header.from=clinic.example']),
    );
    expect(await authenticateSender(raw, opts())).toEqual({
      verdict: 'unverified',
      reasons: ['no aligned dkim signature; dmarc policy reject for clinic.example', 'authentication-results from mx.casedesk.example below an untrusted hop ignored'],
      fromDomain: 'clinic.example',
      method: 'dkim',
    });
  });

  it('a forged pass on a message that passed no trusted server is ignored', async () => {
    const raw = Buffer.from(message('coder@clinic.example', ['Authentication-Results: mx.casedesk.example; dmarc=pass header.from=clinic.example']));
    expect(await authenticateSender(raw, opts())).toMatchObject({ verdict: 'unverified', method: 'dkim' });
  });

  it('a trusted header that says nothing about the From domain, or only temperror, falls back to the own check', async () => {
    const signed = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 's1' });
    const none = Buffer.concat([Buffer.from(`Authentication-Results: mx.casedesk.example; dkim=pass header.d=mailer.example\r\n${hop('x.example')}\r\n`), signed]);
    expect(await authenticateSender(none, opts())).toMatchObject({ verdict: 'verified', method: 'dkim', reasons: ['dkim=pass (clinic.example)'] });
    const temp = Buffer.concat([Buffer.from(`Authentication-Results: mx.casedesk.example; dmarc=temperror\r\n${hop('x.example')}\r\n`), signed]);
    expect(await authenticateSender(temp, opts())).toMatchObject({ verdict: 'verified', method: 'dkim', reasons: ['dmarc=temperror by mx.casedesk.example', 'dkim=pass (clinic.example)'] });
  });
});

describe('authenticateSender: hostile input and limits', () => {
  it('answers unknown with a reason, never throws', async () => {
    const cases: Array<[string, Buffer, string]> = [
      ['empty', Buffer.alloc(0), 'no From field'],
      ['garbage', Buffer.from('\u0000\u00ff\r\n\r\n\u0001'), 'no From field'],
      ['two From fields', Buffer.from('From: a@clinic.example\r\nFrom: b@clinic.example\r\n\r\nx'), 'more than one From field'],
      ['two addresses', Buffer.from('From: a@clinic.example, b@other.example\r\n\r\nx'), 'more than one address in From'],
      ['a group without address', Buffer.from('From: undisclosed-recipients:;\r\n\r\nx'), 'no address in From'],
      ['no domain', Buffer.from('From: coder\r\n\r\nx'), 'no address in From'],
      ['bad domain', Buffer.from('From: coder@-bad-.\r\n\r\nx'), 'From address has no valid domain'],
      ['huge header', Buffer.from(`X-Pad: ${'a'.repeat(300 * 1024)}\r\nFrom: a@clinic.example\r\n\r\nx`), 'header too large to verify'],
      ['broken DKIM-Signature', Buffer.from('DKIM-Signature: v=1; a=rsa-sha256; d=clinic.example; s=s1; b=!!!; bh=???\r\nFrom: a@clinic.example\r\n\r\nx'), ''],
    ];
    for (const [name, raw, reason] of cases) {
      const result = await authenticateSender(raw, opts());
      if (reason) expect(result, name).toEqual({ verdict: name === 'broken DKIM-Signature' ? 'unverified' : 'unknown', reasons: [reason], fromDomain: null, method: 'none' });
      else expect(['unknown', 'unverified'], name).toContain(result.verdict);
    }
  });

  it('gives up after the time limit with unknown', async () => {
    const never = Object.assign(() => new Promise<string[][]>(() => undefined), { asked: [], unknown: [] });
    const raw = Buffer.from(message('coder@clinic.example'));
    expect(await authenticateSender(raw, opts({ resolver: never, timeoutMs: 50 }))).toEqual({ verdict: 'unknown', reasons: ['sender authentication timed out'], fromDomain: null, method: 'none' });
  });

  it('checks nothing when SENDER_AUTH=off', async () => {
    expect(await authenticateSender(Buffer.from(message('coder@clinic.example')), opts({ mode: 'off' }))).toMatchObject({ verdict: 'unknown', method: 'none' });
    expect(resolver.asked).toEqual([]);
  });

  it('a resolver that throws something odd gives unknown, not an exception', async () => {
    const odd = Object.assign(async () => {
      throw 'not an error';
    }, { asked: [], unknown: [] });
    const signed = await sign(message('coder@clinic.example'), clinicKey, { domain: 'clinic.example', selector: 's1' });
    const result = await authenticateSender(signed, opts({ resolver: odd }));
    expect(result.verdict).toBe('unknown');
  });
});
