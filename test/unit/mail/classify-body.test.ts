import { describe, expect, it } from 'vitest';
import { asksCodingQuestion, readBody } from '../../../src/mail/classify-body.ts';
import type { ParsedMessage } from '../../../src/mail/parsed-message.ts';

function parsed(text: string): ParsedMessage {
  return {
    headers: {}, messageId: null, inReplyTo: null, references: [], from: null, to: [], cc: [], replyTo: [],
    subject: '', date: null, text, html: null, contentType: 'text/plain', parts: [], warnings: [],
  };
}

describe('asksCodingQuestion', () => {
  it.each([
    'Need to know if modifier 25 applies to 99214 when we do a joint injection.',
    'Can we bill 99214 with 20610 same day. Thanks',
    'Please advise on the correct dx for this visit.',
    'Question: does G0439 go with 99397 for Medicare',
    '¿Se puede facturar 99213 con 25?',
    'Est-ce que le 97110 peut être facturé avec le 97140',
  ])('a coder asking: %s', (text) => {
    expect(asksCodingQuestion(text)).toBe(true);
  });

  it.each([
    'The claim for CPT 99214 has been processed. Questions? Call Provider Services.',
    'Claim 123 for 99214 was denied. Do not reply to this email. Why am I receiving this email?',
    'I am out of the office until Monday. For coding questions contact Lisa.',
    'Thank you for your email. Need help with CPT coding? Visit our help center.',
    'Why did this bounce?',
    'toto',
  ])('a template or no coding question: %s', (text) => {
    expect(asksCodingQuestion(text)).toBe(false);
  });
});

describe('readBody', () => {
  it('reads the top only: not a forwarded notice, not quoted history', () => {
    const body = readBody(parsed('Is 97110 ok with GP?\n\n---------- Forwarded message ---------\nFrom: eFax <m@fax.example>\n\nYou have received a 3 page fax. Please do not reply.'));
    expect(body.asksCodingQuestion).toBe(true);
    expect(body.notice).toEqual([]);
    const reply = readBody(parsed('I am out of the office until June 2 and will reply when I am back.\n\nOn Jun 1, 2025, CaseDesk wrote:\n> Is 99213 supported with 25?'));
    expect(reply.asksCodingQuestion).toBe(false);
    expect(reply.vacation.length).toBeGreaterThanOrEqual(2);
  });

  it('reads HTML-only mail without an HTML parser: hostile nesting does not recurse', () => {
    const html = `${'<div>'.repeat(200_000)}Can we bill 99213-25 with 20610?${'</div>'.repeat(200_000)}`;
    const message = { ...parsed(''), html };
    expect(() => readBody(message)).not.toThrow();
    expect(readBody({ ...parsed(''), html: '<p>I am out of the office&nbsp;until Monday.</p><p>I will reply when I am back.</p>' }).vacation.length).toBeGreaterThanOrEqual(2);
  });
});
