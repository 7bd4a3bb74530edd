import { afterAll, describe, expect, it } from 'vitest';
import { extractNewText, htmlToVisibleText, tableRowsToText } from '../../../src/mail/new-text.ts';
import { ParsePool, type ParseLimits } from '../../../src/mail/safe-parse.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';

const limits: ParseLimits = { maxBytes: 25 * 1024 * 1024, timeoutMs: 20_000, maxDepth: 50, maxParts: 500 };
const pool = new ParsePool();
afterAll(async () => pool.close());

const HTML = '<html><body><p>Hi, can we bill these together? DOS 01/15/2026</p>'
  + '<table><tr><th>Code</th><th>Mod</th></tr><tr><td>99213</td><td>95</td></tr><tr><td>G2211</td><td></td></tr></table>'
  + '<p>Thanks</p><img src="https://track.example.com/open.gif?id=123" width="1" height="1"></body></html>';

const message = (contentType: string, body: string) => Buffer.from([
  'From: Pat <pat@clinic.test>', 'To: help@casedesk.test', 'Subject: Telehealth codes', 'Message-ID: <h1@clinic.test>',
  'Date: Mon, 02 Mar 2026 10:00:00 +0000', 'MIME-Version: 1.0', `Content-Type: ${contentType}`, '', body, '',
].join('\r\n'));

describe('an HTML-only question', () => {
  it('reads as its visible text: table cells separated, no image or tracking URLs', async () => {
    const result = await pool.parse(message('text/html; charset=utf-8', HTML), limits);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.text).toBe('Hi, can we bill these together? DOS 01/15/2026\n\nCode | Mod\n99213 | 95\nG2211\n\nThanks');
    expect(result.message.text).not.toContain('track.example.com');
    const question = extractNewText({ text: result.message.text, html: result.message.html, subject: result.message.subject });
    const quoted = createReplyRenderer().render('needs-info', {
      greetingName: null, originalSubject: 'Telehealth codes', signatureName: 'CaseDesk', caseNumber: 'CD-1', question, reason: 'ambiguous', receivedDate: '2026-03-02',
    }).text;
    expect(quoted).toContain('> Code | Mod\n> 99213 | 95\n> G2211');
    expect(quoted).not.toMatch(/CodeMod|https?:/);
  });

  it('a message with a text/plain part keeps that text', async () => {
    const boundary = 'b1';
    const body = [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', 'Plain 99213 with 95', `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', HTML, `--${boundary}--`].join('\r\n');
    const result = await pool.parse(message(`multipart/alternative; boundary="${boundary}"`, body), limits);
    expect(result.ok && result.message.text.trim()).toBe('Plain 99213 with 95');
  });

  it('layout tables keep their text as lines; data rows join with " | "', () => {
    expect(htmlToVisibleText('<table width="100%"><tr><td><table><tr><td><p>Hello team,</p><p>Is 97110 x8 ok?</p></td></tr></table></td></tr><tr><td>Footer</td></tr></table>'))
      .toBe('Hello team,\n\nIs 97110 x8 ok?\nFooter');
    expect(tableRowsToText([[{ text: 'A' }, { text: 'B' }], [{ text: '' }, { text: '' }], [{ text: 'C' }, { text: '' }, { text: 'D' }]])).toBe('A | B\nC |  | D');
  });
});
