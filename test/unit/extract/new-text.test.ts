import { describe, expect, it } from 'vitest';
import { extractNewText } from '../../../src/mail/new-text.ts';

describe('extractNewText', () => {
  const cases: Array<[string, { text: string; html?: string; subject?: string }, string]> = [
    ['drops > lines at any depth', { text: 'new 1\n> old\n>> older\n  > indented\nnew 2' }, 'new 1\nnew 2'],
    ['keeps interleaved answers', { text: '> q1?\nanswer 1\n> q2?\nanswer 2' }, 'answer 1\nanswer 2'],
    ['drops the On … wrote: line', { text: 'thanks\n\nOn Mon, Jan 13, 2025 at 10:14 AM Jane <j@x.org> wrote:\n> old' }, 'thanks'],
    [
      'drops a wrapped On … wrote: attribution',
      { text: 'yes\n\nOn Mon, Feb 10, 2025 at 9:30 AM, CaseDesk <ask@casedesk.example>\nwrote:\n> old' },
      'yes',
    ],
    ['cuts at -----Original Message-----', { text: 'new\n-----Original Message-----\nFrom: x\nold 99213' }, 'new'],
    [
      'cuts at an Outlook header block',
      { text: 'new\n\nFrom: CaseDesk <a@b.c>\nSent: Monday, January 13, 2025 4:02 PM\nTo: me\nSubject: RE: x\n\nold' },
      'new',
    ],
    [
      'cuts at an Outlook rule + header block',
      { text: 'new\n________________________________\nFrom: CaseDesk\nSent: Monday\nSubject: x\n\nold' },
      'new',
    ],
    ['cuts the signature at "-- "', { text: 'new\n-- \nJane, NPI 1234567890' }, 'new'],
    [
      'keeps a forwarded message',
      { text: 'see below\n\n---------- Forwarded message ---------\nFrom: Payer <p@x.org>\nDate: Mon, Jan 27, 2025\nSubject: denial\n\n99213 denied' },
      'see below\n\n---------- Forwarded message ---------\nFrom: Payer <p@x.org>\nDate: Mon, Jan 27, 2025\nSubject: denial\n\n99213 denied',
    ],
    [
      'keeps Begin forwarded message:',
      { text: 'fyi\nBegin forwarded message:\n\nFrom: A\nDate: B\n\n97110 x3' },
      'fyi\nBegin forwarded message:\n\nFrom: A\nDate: B\n\n97110 x3',
    ],
    [
      'keeps an Outlook block when the subject is a forward',
      { subject: 'FW: auth', text: 'see below\n\nFrom: Auth <a@x>\nSent: Thursday\nSubject: auth\n\n95810 approved' },
      'see below\n\nFrom: Auth <a@x>\nSent: Thursday\nSubject: auth\n\n95810 approved',
    ],
    [
      'reads HTML-only mail as visible text',
      { text: '', html: '<style>p{color:#999999}</style><p>Bill 99213&nbsp;25</p><a href="http://x/99215">link</a><img alt="J1885">' },
      'Bill 99213 25\n\nlink',
    ],
    [
      'HTML blockquotes are quoted history',
      { text: '', html: '<p>new 99214</p><blockquote>old 99215</blockquote>' },
      'new 99214',
    ],
    ['prefers text/plain when present', { text: 'plain', html: '<p>html</p>' }, 'plain'],
    ['CRLF line ends', { text: 'a\r\n> b\r\nc' }, 'a\nc'],
  ];
  it.each(cases)('%s', (_name, input, want) => expect(extractNewText(input)).toBe(want));

  it('is fast on a large message', () => {
    const text = 'Question about 99213 and 97110 x3.\n> quoted line\n'.repeat(5000);
    const t0 = performance.now();
    extractNewText({ text });
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
