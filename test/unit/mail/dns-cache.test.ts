import { describe, expect, it } from 'vitest';
import type { DNSResolver } from 'mailauth';
import { cachingResolver } from '../../../src/mail/auth/dns-cache.ts';

const fail = (code: string) => Object.assign(new Error(`queryTxt ${code}`), { code });

function table(answers: Record<string, () => unknown>) {
  const asked: string[] = [];
  const resolver = (async (name: string, rrtype: string) => {
    asked.push(`${rrtype} ${name}`);
    return answers[`${rrtype} ${name}`]();
  }) as DNSResolver;
  return { resolver, asked };
}

describe('the sender check\'s DNS cache', () => {
  it('asks once for a name within the TTL (concurrent lookups share the query), again after it', async () => {
    const t = table({ 'TXT _dmarc.example.org': () => [['v=DMARC1; p=reject']] });
    const dns = cachingResolver(t.resolver, { ttlMs: 100 });
    const [a, b] = await Promise.all([dns('_dmarc.example.org', 'TXT'), dns('_DMARC.example.org', 'TXT')]);
    expect(a).toEqual([['v=DMARC1; p=reject']]);
    expect(b).toEqual(a);
    await dns('_dmarc.example.org', 'TXT');
    expect(t.asked).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 150));
    await dns('_dmarc.example.org', 'TXT');
    expect(t.asked).toHaveLength(2);
  });

  it('keeps "no such record" but asks again after a failure that may be temporary', async () => {
    let servfail = true;
    const t = table({
      'TXT _dmarc.none.test': () => { throw fail('ENOTFOUND'); },
      'TXT sel._domainkey.flaky.test': () => { if (servfail) throw fail('ESERVFAIL'); return [['v=DKIM1; p=abc']]; },
    });
    const dns = cachingResolver(t.resolver);
    await expect(dns('_dmarc.none.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(dns('_dmarc.none.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(dns('sel._domainkey.flaky.test', 'TXT')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    servfail = false;
    await expect(dns('sel._domainkey.flaky.test', 'TXT')).resolves.toEqual([['v=DKIM1; p=abc']]);
    expect(t.asked).toEqual(['TXT _dmarc.none.test', 'TXT sel._domainkey.flaky.test', 'TXT sel._domainkey.flaky.test']);
  });
});
