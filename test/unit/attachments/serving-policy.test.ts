import { describe, expect, it } from 'vitest';
import { contentDisposition, servingPolicy, type ServingInput } from '../../../src/attachments/serving-policy.ts';

const base: ServingInput = { sniffedType: 'application/pdf', status: 'ok', scan: 'clean', name: 'letter.pdf' };

describe('servingPolicy: whether an attachment may be served at all', () => {
  it.each([
    // status, scan, allowed or the refusal code
    ['ok', 'clean', 'allowed'],
    ['ok', 'infected', 'infected'],
    ['ok', 'not-scanned', 'not-scanned'],
    ['over-limit', 'clean', 'not-stored'],
    ['over-limit', 'not-scanned', 'not-stored'],
    ['unreadable', 'not-scanned', 'not-stored'],
  ] as const)('status %s, scan %s → %s', (status, scan, expected) => {
    const decision = servingPolicy({ ...base, status, scan });
    expect(decision.allowed ? 'allowed' : decision.code).toBe(expected);
  });

  it('never serves an infected image, even one the policy would show inline', () => {
    expect(servingPolicy({ ...base, sniffedType: 'image/png', scan: 'infected' })).toMatchObject({ allowed: false, code: 'infected' });
  });
});

describe('servingPolicy: how an allowed attachment is served (by sniffed type)', () => {
  it.each([
    ['image/png', 'inline-image', 'image/png', 'inline'],
    ['image/jpeg', 'inline-image', 'image/jpeg', 'inline'],
    ['image/gif', 'inline-image', 'image/gif', 'inline'],
    ['image/webp', 'inline-image', 'image/webp', 'inline'],
    ['application/pdf', 'sandboxed-pdf', 'application/pdf', 'inline'],
    ['image/svg+xml', 'download', 'application/octet-stream', 'attachment'],
    ['text/html', 'download', 'application/octet-stream', 'attachment'],
    ['application/xml', 'download', 'application/octet-stream', 'attachment'],
    ['image/tiff', 'download', 'application/octet-stream', 'attachment'],
    ['text/plain', 'download', 'application/octet-stream', 'attachment'],
    ['text/csv', 'download', 'application/octet-stream', 'attachment'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'download', 'application/octet-stream', 'attachment'],
    ['application/x-msdownload', 'download', 'application/octet-stream', 'attachment'],
    ['application/octet-stream', 'download', 'application/octet-stream', 'attachment'],
  ])('%s → %s as %s, %s', (sniffedType, mode, contentType, disposition) => {
    const decision = servingPolicy({ ...base, sniffedType });
    expect(decision.allowed).toBe(true);
    if (!decision.allowed) return;
    expect(decision.mode).toBe(mode);
    expect(decision.headers['Content-Type']).toBe(contentType);
    expect(decision.headers['Content-Disposition']!.split(';')[0]).toBe(disposition);
    // Every answer: no sniffing into another type, no caching, a CSP that sandboxes the document.
    expect(decision.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(decision.headers['Cache-Control']).toBe('private, no-store');
    expect(decision.headers['Content-Security-Policy']).toMatch(/(^|; )sandbox$/);
  });

  it('serves a PDF under CSP sandbox without allow-scripts or allow-same-origin', () => {
    const decision = servingPolicy(base);
    expect(decision.allowed && decision.headers['Content-Security-Policy']).toBe('sandbox');
  });

  it('forbids every active source for downloads and images', () => {
    for (const sniffedType of ['text/html', 'image/png']) {
      const decision = servingPolicy({ ...base, sniffedType });
      expect(decision.allowed && decision.headers['Content-Security-Policy']).toMatch(/^default-src 'none'/);
    }
  });
});

describe('contentDisposition', () => {
  it.each([
    ['letter.pdf', `attachment; filename="letter.pdf"; filename*=UTF-8''letter.pdf`],
    ['résumé (1).pdf', `attachment; filename="resume (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`],
    ['say "hi"\\.txt', `attachment; filename="say _hi__.txt"; filename*=UTF-8''say%20%22hi%22%5C.txt`],
    ['100%.csv', `attachment; filename="100_.csv"; filename*=UTF-8''100%25.csv`],
    ['診療.pdf', `attachment; filename="__.pdf"; filename*=UTF-8''%E8%A8%BA%E7%99%82.pdf`],
  ])('%j', (name, expected) => {
    expect(contentDisposition('attachment', name)).toBe(expected);
  });

  it('never lets a name end the header or add a parameter', () => {
    const value = contentDisposition('inline', 'a";\r\nX-Evil: 1; filename="b.html');
    expect(value).not.toMatch(/[\r\n]/);
    expect(value.match(/"/g)).toHaveLength(2);
  });
});
