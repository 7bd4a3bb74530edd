import { describe, expect, it } from 'vitest';
import { parseRaw } from '../../../src/mail/parse-worker.ts';

/*
 * The parts mailparser flattens away are decoded by to-parsed-message.ts itself (libbase64,
 * libqp): the machine-readable report parts the bounce reader needs, the headers of a returned
 * message, and the text recovered from a structure mailparser could not follow.
 */
const limits = { maxBytes: 1024 * 1024, timeoutMs: 10_000, maxDepth: 50, maxParts: 500 };
const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

function report(encoding: 'base64' | 'quoted-printable', body: string): Buffer {
  return crlf([
    'From: MAILER-DAEMON@mx.example', 'To: answers@casedesk.example', 'Subject: Undelivered Mail', 'Message-ID: <dsn1@mx.example>',
    'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"', '',
    '--r', 'Content-Type: text/plain', '', 'Your message could not be delivered.',
    '--r', 'Content-Type: message/delivery-status', `Content-Transfer-Encoding: ${encoding}`, '', body,
    '--r--', '',
  ]);
}

const STATUS = 'Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; coder@clinic.example\r\nAction: failed\r\nStatus: 5.1.1\r\n';

async function partContent(raw: Buffer, type: string): Promise<string | undefined> {
  const result = await parseRaw(raw, limits);
  if (!result.ok) throw new Error(result.reason);
  return result.message.parts.find((p) => p.contentType === type)?.content;
}

describe('transfer decoding of the parts the pipeline reads itself', () => {
  it('decodes a base64 delivery-status part, line breaks and stray characters skipped', async () => {
    const encoded = Buffer.from(STATUS).toString('base64').replace(/(.{20})/g, '$1\r\n');
    expect(await partContent(report('base64', encoded), 'message/delivery-status')).toBe(STATUS);
  });

  it('decodes base64 padded line by line (every segment, not only the first)', async () => {
    const lines = STATUS.split(/(?<=\n)/).map((l) => Buffer.from(l).toString('base64'));
    expect(lines.some((l) => l.endsWith('='))).toBe(true);
    expect(await partContent(report('base64', lines.join('\r\n')), 'message/delivery-status')).toBe(STATUS);
  });

  it('decodes a quoted-printable part: =XX escapes, soft line breaks, UTF-8 bytes', async () => {
    const body = 'Reporting-MTA: dns; mx.example=0D=0A=0D=0AFinal-Recipient: rfc822; jos=C3=A9@clinic.example=0D=0AAction: fai=\r\nled=0D=0AStatus: 5.1.1=0D=0A';
    // (The line break before the closing boundary stays in the part as the scan cuts it; only the decoded bytes matter here.)
    expect((await partContent(report('quoted-printable', body), 'message/delivery-status'))?.trimEnd()).toBe(STATUS.replace('coder@', 'josé@').trimEnd());
  });

  it('recovers quoted-printable latin-1 text from a structure mailparser could not follow', async () => {
    // The boundary parameter wrapped onto an unindented line: mailparser finds no text, the scan does.
    const raw = crlf([
      'From: coder@clinic.example', 'To: answers@casedesk.example', 'Subject: Question', 'Message-ID: <q1@clinic.example>', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed;', 'boundary="b"', '',
      '--b', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '',
      'Can 97110 be billed for Jos=E9 on the same d=\r\nay?',
      '--b--', '',
    ]);
    const result = await parseRaw(raw, limits);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.text.trim()).toBe('Can 97110 be billed for José on the same day?');
  });
});
