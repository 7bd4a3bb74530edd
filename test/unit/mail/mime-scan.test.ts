import { describe, expect, it } from 'vitest';
import { scanMime } from '../../../src/mail/mime-scan.ts';
import { manyPartsMessage, nestedMessage } from './hostile-messages.ts';

const limits = { maxDepth: 50, maxParts: 500, maxHeaderBytes: 1024 * 1024 };
const scan = (text: string, l = limits) => scanMime(Buffer.from(text), l);

describe('scanMime', () => {
  it('lists entities depth-first, including the message inside message/rfc822', () => {
    const raw = [
      'Content-Type: multipart/mixed; boundary="a"', '', 'preamble',
      '--a', 'Content-Type: text/plain; charset=iso-8859-1', '', 'hello',
      '--a', 'Content-Type: message/rfc822', '',
      'Message-ID: <x@y>', 'Content-Type: multipart/alternative; boundary=b', '',
      '--b', 'Content-Type: text/plain', '', 'inner', '--b--',
      '--a', 'Content-Type: application/pdf; name="a.pdf"', 'Content-Disposition: attachment; filename="r.pdf"', '', 'JVBER',
      '--a--', 'epilogue',
    ].join('\r\n');
    const result = scan(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.parts.map((p) => [p.contentType, p.depth])).toEqual([
      ['multipart/mixed', 0], ['text/plain', 1], ['message/rfc822', 1], ['multipart/alternative', 2], ['text/plain', 3], ['application/pdf', 1],
    ]);
    expect(result.parts[1].charset).toBe('iso-8859-1');
    expect(result.parts[5]).toMatchObject({ disposition: 'attachment', filename: 'r.pdf' });
    expect(raw.slice(result.parts[1].bodyStart, result.parts[1].bodyEnd).trim()).toBe('hello');
  });

  it('reads a boundary parameter wrapped onto an unindented line', () => {
    const result = scan('Content-Type: multipart/mixed;\nboundary="q"\n\n--q\nContent-Type: text/plain\n\nx\n--q--\n');
    expect(result.ok && result.parts.map((p) => p.contentType)).toEqual(['multipart/mixed', 'text/plain']);
  });

  it('stops at the depth, part and header limits with a reason', () => {
    expect(scanMime(nestedMessage(60), limits)).toMatchObject({ ok: false, code: 'too-deep' });
    expect(scanMime(nestedMessage(40), limits)).toMatchObject({ ok: true });
    expect(scanMime(manyPartsMessage(600), limits)).toMatchObject({ ok: false, code: 'too-many-parts' });
    expect(scan(`X-A: ${'a'.repeat(2000)}\n\nbody`, { ...limits, maxHeaderBytes: 1000 })).toMatchObject({ ok: false, code: 'header-too-large' });
  });

  it('treats a missing header/body separator as the start of the body', () => {
    const result = scan('Subject: x\nthis is body text\n');
    expect(result.ok && result.parts[0].rawHeaders).toBe('Subject: x');
  });
});
