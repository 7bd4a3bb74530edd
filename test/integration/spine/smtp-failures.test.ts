import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { textToHtml } from '../../../src/drafts/render.ts';
import { hashMessageId, makeMessageId } from '../../../src/shared/message-id.ts';
import { approveDraft, showDraft } from '../../../src/review/review.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';

/** Transient SMTP failures are retried with backoff and deliver once; permanent ones are recorded and visible. */
describe.each(TEST_DRIVERS)('sending through a failing SMTP server on %s', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('smtp');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, roles: ['send'] });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
  });

  const pendingDraft = async (to: string) => {
    const em = cd.app.orm.em.fork();
    const c = em.create(Case, { subject: 'Q', requesterEmail: to });
    await em.flush();
    const id = `<q-${c.id}@clinic.test>`;
    const q = em.create(CaseMessage, { caseId: c.id, direction: 'in', messageId: id, messageIdHash: hashMessageId(id), fromAddress: to, subject: 'Q', textNew: 'x', textFull: 'x' });
    await em.flush();
    const d = em.create(Draft, { caseId: c.id, caseMessageId: q.id, kind: 'answer', subject: `Re: Q [CD-${c.id}]`, bodyText: 'The answer.', bodyHtml: '<p>The answer.</p>' });
    await em.flush();
    const { outboxId } = await approveDraft({ em: cd.app.orm.em.fork(), makeMessageId: (k, caseId) => makeMessageId(k, 'casedesk.test', caseId), textToHtml }, { draftId: d.id, actor: 'test' });
    await cd.app.queues.enqueueSend(outboxId);
    return d.id;
  };

  it('retries a 450 and delivers exactly once', async () => {
    smtp.setFailure({ code: 450, message: '4.2.0 greylisted, try again later', times: 1 });
    const draftId = await pendingDraft('grey@clinic.test');
    const shown = await waitFor(async () => {
      const d = await showDraft(cd.app.orm.em.fork(), draftId);
      // The outbox row and the draft are recorded sent one after the other: wait for both.
      return d.outbox?.state === 'sent' && d.state === 'sent' ? d : null;
    }, { timeoutMs: 30_000, what: 'sent after a retry' });
    expect(shown.state).toBe('sent');
    expect(shown.outbox?.attempts).toBe(2);
    expect(smtp.rejected).toBe(1);
    expect(smtp.messages.filter((m) => m.envelope.rcptTo.some((r) => r.address === 'grey@clinic.test'))).toHaveLength(1);
  });

  it('records a 550 as failed, visible in drafts show, and does not retry it', async () => {
    smtp.setFailure({ code: 550, message: '5.1.1 no such user', at: 'rcpt' });
    const draftId = await pendingDraft('nobody@clinic.test');
    const shown = await waitFor(async () => {
      const d = await showDraft(cd.app.orm.em.fork(), draftId);
      return d.outbox?.state === 'failed' && d.state === 'failed' ? d : null;
    }, { timeoutMs: 30_000, what: 'failed permanently' });
    smtp.setFailure(null);
    expect(shown.state).toBe('failed');
    expect(shown.outbox?.lastError).toMatch(/550/);
    expect(shown.outbox?.attempts).toBe(1);
    expect(smtp.messages.some((m) => m.envelope.rcptTo.some((r) => r.address === 'nobody@clinic.test'))).toBe(false);
  });
});
