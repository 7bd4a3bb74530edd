import { gzipSync } from 'node:zlib';

/**
 * Hostile messages generated at test time (nothing big is committed). Each is a Buffer of raw
 * RFC 5322 bytes aimed at one weakness of a MIME parser.
 */
const head = (contentType: string, extra = ''): string =>
  `From: Mallory <mallory@example.net>\r\nTo: answers@casedesk.example\r\nSubject: hostile\r\nMessage-ID: <hostile@example.net>\r\nMIME-Version: 1.0\r\n${extra}Content-Type: ${contentType}\r\n\r\n`;

/** multipart inside multipart, `depth` levels deep. */
export function nestedMessage(depth: number): Buffer {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i += 1) {
    open.push(`--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`);
    close.unshift(`\r\n--b${i}--\r\n`);
  }
  return Buffer.from(`${head('multipart/mixed; boundary="b0"')}${open.join('')}--b${depth}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n--b${depth}--${close.join('')}`);
}

/** One multipart with `count` tiny parts. */
export function manyPartsMessage(count: number): Buffer {
  const part = '--p\r\nContent-Type: text/plain\r\n\r\nx\r\n';
  return Buffer.from(`${head('multipart/mixed; boundary="p"')}${part.repeat(count)}--p--\r\n`);
}

/** A body that is one line of `bytes` bytes, no line breaks at all. */
export function singleLineMessage(bytes: number): Buffer {
  const h = Buffer.from(head('text/plain; charset=us-ascii'));
  return Buffer.concat([h, Buffer.alloc(bytes, 0x61)]);
}

/** A header block of about `bytes` bytes (one huge folded header). */
export function hugeHeaderMessage(bytes: number): Buffer {
  const line = `X-Filler: ${'y'.repeat(70)}\r\n`;
  const filler = line.repeat(Math.ceil(bytes / line.length));
  return Buffer.from(`${filler}${head('text/plain')}small body\r\n`);
}

/** NUL bytes in headers and body. */
export function nulMessage(): Buffer {
  return Buffer.from(`${head('text/plain; charset=utf-8', 'X-Nul: a\0b\r\n')}Can 97760\0 be billed\0 with 97530?\r\n`);
}

/** Unknown and refused charsets, invalid UTF-8, broken base64 and quoted-printable, bad encoded words. */
export function invalidEncodingsMessage(): Buffer {
  return Buffer.concat([
    Buffer.from(head('multipart/mixed; boundary="e"').replace('Subject: hostile', 'Subject: =?x-no-such-charset?B?!!!?= =?utf-7?Q?+ADw-script+AD4-?=')),
    Buffer.from('--e\r\nContent-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%=\r\n'),
    Buffer.from('--e\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ qp =\r\n'),
    Buffer.from('--e\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80, 0x0d, 0x0a]),
    Buffer.from('--e\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+ADw-script+AD4-\r\n--e--\r\n'),
  ]);
}

/**
 * Zip-bomb-like: a small gzip attachment that would inflate to `inflatedMb` MB (a parser must
 * never inflate it), next to a large base64 text part that decodes to `textMb` MB.
 */
export function bombMessage(inflatedMb: number, textMb: number): Buffer {
  // Concatenated gzip members are one valid gzip stream: 16 MB of zeros compressed once, repeated.
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
  const gz = Buffer.concat(new Array<Buffer>(Math.ceil(inflatedMb / 16)).fill(member)).toString('base64').replace(/.{76}/g, '$&\r\n');
  const text = Buffer.alloc(textMb * 1024 * 1024, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(`${head('multipart/mixed; boundary="z"')}--z\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n${text}\r\n--z\r\nContent-Type: application/gzip; name="a.gz"\r\nContent-Disposition: attachment; filename="a.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\n${gz}\r\n--z--\r\n`);
}

/** Deeply nested HTML, the expensive input for html-to-text. */
export function deepHtmlMessage(depth: number): Buffer {
  return Buffer.from(`${head('text/html; charset=utf-8')}${'<div>'.repeat(depth)}x${'</div>'.repeat(depth)}\r\n`);
}

/** An ordinary question, for the concurrency test. */
export function ordinaryMessage(i: number): Buffer {
  return Buffer.from(`From: Coder ${i} <coder${i}@clinic.example>\r\nTo: answers@casedesk.example\r\nSubject: Question ${i}\r\nMessage-ID: <q${i}@clinic.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCan 97760 be billed with 97530 on the same day? (${i})\r\n`);
}
