import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { hashMessageId } from '../../../src/shared/message-id.ts';
import { showDraft } from '../../../src/review/review.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { TEST_DRIVERS } from '../../support/db.ts';

/** A bounce that returns one of our replies marks that reply `bounced`, visible in `drafts show`. */
describe.each(TEST_DRIVERS)('a bounce of our reply on %s', (driver) => {
  let cd: BootedCaseDesk;
  let mailbox: string;
  beforeAll(async () => {
    mailbox = await createTestMailbox('bounce');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: 1, roles: ['ingest', 'parse'] });
  });
  afterAll(async () => {
    await cd?.teardown();
    if (mailbox) await deleteMailbox(mailbox);
  });

  it('marks the outbox row bounced with status and diagnostic, and gets no answer', async () => {
    const em = cd.app.orm.em.fork();
    const c = em.create(Case, { subject: 'Q', requesterEmail: 'gone@clinic.test', state: 'answered' });
    await em.flush();
    const q = em.create(CaseMessage, { caseId: c.id, direction: 'in', messageId: '<q@clinic.test>', messageIdHash: hashMessageId('<q@clinic.test>'), fromAddress: 'gone@clinic.test', subject: 'Q', textNew: 'x', textFull: 'x' });
    await em.flush();
    const ourId = `<cd.${c.id}.0123456789abcdef0123@casedesk.test>`;
    const d = em.create(Draft, { caseId: c.id, caseMessageId: q.id, kind: 'answer', state: 'sent', subject: 'Re: Q', bodyText: 'a', bodyHtml: 'a' });
    await em.flush();
    const o = em.create(Outbox, { dedupeKey: `draft:${d.id}`, kind: 'answer', caseId: c.id, draftId: d.id, messageId: ourId, toAddress: 'gone@clinic.test', subject: 'Re: Q', text: 'a', state: 'sent' });
    await em.flush();
    d.outboxId = o.id;
    await em.flush();

    const boundary = 'dsn-boundary-1';
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.clinic.test>',
      'To: answers@casedesk.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.clinic.test>',
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'I could not deliver your message to gone@clinic.test: the mailbox does not exist.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.clinic.test',
      '',
      'Final-Recipient: rfc822; gone@clinic.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@clinic.test>: Recipient address rejected: User unknown',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      'From: CaseDesk <answers@casedesk.test>',
      'To: gone@clinic.test',
      'Subject: Re: Q [CD-1]',
      `Message-ID: ${ourId}`,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await appendMessage(mailbox, dsn);
    const row = await waitFor(async () => {
      const r = await cd.app.orm.em.fork().findOne(InboundMessage, { messageId: '<dsn-1@mx.clinic.test>' });
      return r && r.state !== 'stored' ? r : null;
    }, { timeoutMs: 20_000, what: 'bounce processed' });
    expect(row.state).toBe('ignored');
    expect(row.kind).toBe('bounce');
    const shown = await showDraft(cd.app.orm.em.fork(), d.id);
    expect(shown.outbox).toMatchObject({ state: 'bounced', bounceStatus: '5.1.1' });
    expect(shown.outbox?.bounceDiagnostic).toMatch(/User unknown/);
    expect(await cd.app.orm.em.fork().count(Outbox, {})).toBe(1);
  });
});
