import { describe, expect, it } from 'vitest';
import { classifyMessage, type MessageKind } from '../../../src/mail/classify.ts';
import type { ParsedMessage } from '../../../src/mail/parsed-message.ts';

const ctx = { ownDomains: ['casedesk.example'], ownAddresses: ['answers@casedesk.example'] };

/** A plain human question; each case overrides what it needs. */
function message(overrides: Partial<ParsedMessage> & { extraHeaders?: Record<string, string> } = {}): ParsedMessage {
  const { extraHeaders = {}, ...rest } = overrides;
  const base: ParsedMessage = {
    headers: { from: ['Coder <coder@clinic.example>'], subject: ['Can 97760 be billed with 97530?'] },
    messageId: '<q1@clinic.example>',
    inReplyTo: null,
    references: [],
    from: { address: 'coder@clinic.example', name: 'Coder' },
    to: [{ address: 'answers@casedesk.example', name: '' }],
    cc: [],
    replyTo: [],
    subject: 'Can 97760 be billed with 97530?',
    date: '2026-03-02T10:00:00.000Z',
    text: 'Hello, can 97760 be billed with 97530 on the same day?',
    html: null,
    contentType: 'text/plain; charset=utf-8',
    parts: [{ contentType: 'text/plain', size: 60, depth: 0 }],
    warnings: [],
    ...rest,
  };
  for (const [name, value] of Object.entries(extraHeaders)) (base.headers[name] ??= []).push(value);
  return base;
}

const dsnParts = [
  { contentType: 'multipart/report', size: 1000, depth: 0 },
  { contentType: 'text/plain', size: 200, depth: 1 },
  { contentType: 'message/delivery-status', size: 200, depth: 1, content: 'Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n' },
  { contentType: 'text/rfc822-headers', size: 200, depth: 1, headers: { 'message-id': ['<cd.1.abc@casedesk.example>'] } },
];

const cases: Array<[string, ParsedMessage, MessageKind, string]> = [
  ['a plain question', message(), 'human', 'no automatic signal'],
  ['RFC 3464 bounce', message({ contentType: 'multipart/report; report-type=delivery-status; boundary="x"', parts: dsnParts, from: { address: 'MAILER-DAEMON@mx.example', name: 'Mail Delivery System' }, subject: 'Undelivered Mail Returned to Sender' }), 'bounce', 'multipart/report delivery-status'],
  ['plain bounce: daemon sender and returned message', message({ from: { address: 'postmaster@mx.example', name: '' }, subject: 'Re: hello', parts: [{ contentType: 'multipart/mixed', size: 1, depth: 0 }, { contentType: 'text/plain', size: 1, depth: 1 }, { contentType: 'message/rfc822', size: 1, depth: 1 }] }), 'bounce', 'sender postmaster'],
  ['plain bounce: German subject, notice body', message({ subject: 'Unzustellbar: Frage zu 97760', text: 'Ihre Nachricht konnte nicht zugestellt werden.' }), 'bounce', 'subject looks like a delivery failure'],
  ['Exim X-Failed-Recipients', message({ extraHeaders: { 'x-failed-recipients': 'a@b.example' } }), 'bounce', 'header X-Failed-Recipients'],
  ['ARF feedback report', message({ contentType: 'multipart/report; report-type=feedback-report; boundary="x"', parts: [{ contentType: 'multipart/report', size: 1, depth: 0 }, { contentType: 'message/feedback-report', size: 1, depth: 1 }] }), 'feedback-report', 'multipart/report feedback-report'],
  ['MDN read receipt', message({ contentType: 'multipart/report; report-type=disposition-notification; boundary="x"' }), 'auto-reply', 'multipart/report disposition-notification'],
  ['RFC 3834 Auto-Submitted', message({ extraHeaders: { 'auto-submitted': 'auto-replied' } }), 'auto-reply', 'header Auto-Submitted: auto-replied'],
  ['Auto-Submitted: no is a person', message({ extraHeaders: { 'auto-submitted': 'no' } }), 'human', 'no automatic signal'],
  ['X-Autoreply', message({ extraHeaders: { 'x-autoreply': 'yes' } }), 'auto-reply', 'header x-autoreply'],
  ['Precedence: auto_reply', message({ extraHeaders: { precedence: 'auto_reply' } }), 'auto-reply', 'header precedence: auto_reply'],
  ['Outlook OOF subject, vacation body', message({ subject: 'Automatic reply: Can 97760 be billed?', text: 'I am out of the office until Monday.' }), 'auto-reply', 'subject looks like an automatic reply'],
  ['French vacation subject, vacation body', message({ subject: 'Réponse automatique : absent', text: 'Je suis absente du bureau jusqu\'au 14 mars.' }), 'auto-reply', 'subject looks like an automatic reply'],
  ['Japanese auto reply subject, short notice', message({ subject: '自動応答: ご質問', text: '不在です。' }), 'auto-reply', 'subject looks like an automatic reply'],
  ['null Return-Path', message({ extraHeaders: { 'return-path': '<>' } }), 'auto-reply', 'header Return-Path: <>'],
  ['noreply plus X-Auto-Response-Suppress, notice body', message({ from: { address: 'no-reply@vendor.example', name: '' }, text: 'Your report is ready.', extraHeaders: { 'x-auto-response-suppress': 'All' } }), 'auto-reply', 'header X-Auto-Response-Suppress'],
  ['vacation template body alone', message({ subject: 'Re: 97760', text: 'I am currently out of the office until March 10 with no access to email. I will respond to your message upon my return.' }), 'auto-reply', 'body reads like a vacation reply'],
  ['ticket acknowledgement with custom headers only', message({ subject: '[Request received] Re: 97760', text: 'Your request (48213) has been received and is being reviewed by our support staff.', extraHeaders: { 'x-zendesk-from-account-id': '7f31c2' } }), 'auto-reply', 'header x-zendesk-from-account-id of a ticket system'],
  ['no-reply portal notification', message({ from: { address: 'noreply@portal.example', name: 'Portal' }, subject: 'New message in your secure inbox', text: 'You have a new secure message. Log in to view it. This mailbox is not monitored.' }), 'auto-reply', 'sender noreply'],
  ['gateway block notice', message({ from: { address: 'quarantine@gw.example', name: '' }, subject: 'Message blocked: Question', text: 'Your message to billing@clinic.example was blocked by our email security gateway.' }), 'bounce', 'subject looks like a block notice'],
  ['List-Id', message({ extraHeaders: { 'list-id': '<coders.lists.example>' } }), 'list', 'header list-id'],
  ['Precedence: bulk', message({ extraHeaders: { precedence: 'bulk' } }), 'list', 'header Precedence: bulk'],
  ['X-Spam-Flag: YES', message({ extraHeaders: { 'x-spam-flag': 'YES' } }), 'spam-flagged', 'header X-Spam-Flag: YES'],
  ['Microsoft 365 spam verdict', message({ extraHeaders: { 'x-forefront-antispam-report': 'CIP:1.2.3.4;CTRY:;SFV:SPM;SFS:(1)' } }), 'spam-flagged', 'header X-Forefront-Antispam-Report: SFV:SPM'],
  ['Microsoft 365 not-spam verdict', message({ extraHeaders: { 'x-forefront-antispam-report': 'CIP:1.2.3.4;SFV:NSPM;SFS:(1)' } }), 'human', 'no automatic signal'],
  ['MailScanner spam verdict', message({ extraHeaders: { 'x-acme-mailscanner-spamcheck': 'spam, SpamAssassin (score=9)' } }), 'spam-flagged', 'header MailScanner-SpamCheck: spam'],
  ['MailScanner not-spam verdict', message({ extraHeaders: { 'x-acme-mailscanner-spamcheck': 'not spam, SpamAssassin (score=1)' } }), 'human', 'no automatic signal'],
  ['subject tagged ***SPAM***', message({ subject: '***SPAM*** cheap pills' }), 'spam-flagged', 'subject tagged as spam'],
  ['our own Message-ID', message({ messageId: '<cd.1.abc@casedesk.example>' }), 'own-loop', 'Message-ID on our own domain'],
  ['from our own address', message({ from: { address: 'Answers@CaseDesk.example', name: 'CaseDesk' } }), 'own-loop', 'sender is our own address'],
  ['X-Loop naming us', message({ extraHeaders: { 'x-loop': 'answers@casedesk.example' } }), 'own-loop', 'header X-Loop names us'],
];

describe('classifyMessage', () => {
  it.each(cases)('%s → %s', (_name, msg, kind, reason) => {
    const result = classifyMessage(msg, ctx);
    expect(result.kind).toBe(kind);
    expect(result.answerable).toBe(kind === 'human');
    expect(result.reasons).toContain(reason);
  });

  it('a bounce of our own reply is a bounce (so the outbox row can be marked), not own-loop', () => {
    const bounce = message({
      contentType: 'multipart/report; report-type=delivery-status; boundary="x"', parts: dsnParts,
      messageId: '<cd.1.0bounce@casedesk.example>', from: { address: 'MAILER-DAEMON@casedesk.example', name: '' },
    });
    const result = classifyMessage(bounce, ctx);
    expect(result.kind).toBe('bounce');
    expect(result.reasons).toContain('Message-ID on our own domain');
  });

  it('keeps weak signals alone from suppressing a person', () => {
    const cases = [
      message({ from: { address: 'postmaster@clinic.example', name: 'Bob' } }), // a postmaster writing
      message({ from: { address: 'noreply@forms.example', name: '' } }), // a web form relaying a person
      message({ text: 'I am out of the office Friday, so: can 97760 be billed with 97530?' }),
      message({ subject: 'Absence of modifier 59 on 97530?' }),
      message({ subject: 'Fwd: Undeliverable: my question', text: 'Why did this bounce?' }),
    ];
    for (const msg of cases) expect(classifyMessage(msg, ctx)).toMatchObject({ kind: 'human', answerable: true });
  });

  it('a subject alone never suppresses a coding question in the sender\'s own words', () => {
    const subjects = ['Automatic reply: Claim 4471', 'Réponse automatique : question 97110', 'Undeliverable: RE: modifier question', 'Out of office', 'Delivery Status Notification (Failure)'];
    for (const subject of subjects) {
      const result = classifyMessage(message({ subject, text: 'Sorry for the subject. Can we bill 99214-25 with 11102 the same day?' }), ctx);
      expect(result, subject).toMatchObject({ kind: 'human', answerable: true });
      expect(result.reasons).toContain('asks a coding question in own words');
    }
  });

  it('reads the question above a forwarded auto-reply, not the auto-reply', () => {
    const text = 'The rep is away, see below. Meanwhile, is 99214 with 25 right?\n\n---------- Forwarded message ---------\nFrom: Rep <rep@payer.example>\nSubject: Automatic reply\n\nI am out of the office until March 15 with limited access to email.';
    expect(classifyMessage(message({ subject: 'Automatic reply: Claim 4471', text }), ctx)).toMatchObject({ kind: 'human' });
    const quoted = 'I am out of the office until June 2 and will reply when I am back.\n\nOn Jun 1, 2025, CaseDesk wrote:\n> Is 99213 supported with 25? Please send the note.';
    expect(classifyMessage(message({ subject: 'Re: 99213 question', text: quoted }), ctx)).toMatchObject({ kind: 'auto-reply' });
  });

  it('a strong signal still wins over a question', () => {
    expect(classifyMessage(message({ extraHeaders: { 'auto-submitted': 'auto-replied' } }), ctx).kind).toBe('auto-reply');
    expect(classifyMessage(message({ extraHeaders: { 'return-path': '<>' } }), ctx).kind).toBe('auto-reply');
  });

  it('spam verdict outranks list headers; auto-reply outranks spam', () => {
    expect(classifyMessage(message({ extraHeaders: { 'x-spam-flag': 'YES', 'list-id': '<l.example>' } }), ctx).kind).toBe('spam-flagged');
    expect(classifyMessage(message({ extraHeaders: { 'x-spam-flag': 'YES', 'auto-submitted': 'auto-replied' } }), ctx).kind).toBe('auto-reply');
  });
});

describe('spam recognised from its content', () => {
  const classify = (m: ParsedMessage) => classifyMessage(m, ctx);
  const from = (address: string, name = '') => ({ from: { address, name }, headers: { from: [`${name} <${address}>`] } });

  it('the GTUBE test string is spam wherever it stands', () => {
    const r = classify(message({ subject: 'hello', text: 'Some text XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X more' }));
    expect(r).toMatchObject({ kind: 'spam-flagged', answerable: false, reasons: ['GTUBE test string'] });
  });

  it('an advertising phrase with a second sign is spam; the signs are named', () => {
    const r = classify(message({ ...from('deals@promo.example'), subject: 'HUGE SAVINGS TODAY', text: 'Lowest prices on all software. Order now and get a free gift!' }));
    expect(r.kind).toBe('spam-flagged');
    expect(r.reasons[0]).toMatch(/^content reads like spam \(spam phrase ×3, shouting subject\)$/);
  });

  it('a question about codes is never spam, whatever phrases it carries', () => {
    const r = classify(message({ subject: 'FREE TRIAL BILLING QUESTION!!', text: 'Click here was all the portal said. Order now? Can 97110 be billed for the free trial visit?' }));
    expect(r).toMatchObject({ kind: 'human', answerable: true });
  });

  it('generic bulk phrases, a spoofed display name or a shouting subject alone do not make spam', () => {
    expect(classify(message({ subject: 'Newsletter', text: 'Our March update. To be removed from this list click here.' })).answerable).toBe(true);
    expect(classify(message({ ...from('test1@gmail.example', 'test@example.com'), subject: 'Test', text: 'Test' })).answerable).toBe(true);
    expect(classify(message({ subject: 'URGENT MEETING CHANGE', text: 'The staff meeting moved to 3 pm.' })).answerable).toBe(true);
  });

  it('phishing: an account threat with a second sign', () => {
    const r = classify(message({ ...from('post@mailhost.example', 'it-support@clinic.example'), subject: 'Your Account Maybe Deactivated Soon', text: 'We received your account deactivation request. If you did not ask for it, cancel it now or your account will be shut down.' }));
    expect(r.kind).toBe('spam-flagged');
  });

  it('a campaign mailer is bulk mail even without List-* headers', () => {
    const r = classify(message({ subject: 'Spring update', text: 'Test message', extraHeaders: { 'x-mc-user': '1234', 'x-mailer': 'MailChimp Mailer' } }));
    expect(r).toMatchObject({ kind: 'list', answerable: false });
    expect(r.reasons).toContain('header x-mc-user of a campaign mailer');
  });
});
