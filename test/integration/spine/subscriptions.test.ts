import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';

describe.each(TEST_DRIVERS)('subscriptions and automatic notices on %s', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('subs');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, env: { PLANS: 'trial:2,standard:50' } });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  let n = 0;
  const ask = async (from: string, extra: Record<string, string> = {}, body = 'Is 99214 billable with 93000 on the same day?') => {
    const id = `<subs-${driver}-${++n}@mail.test>`;
    await appendMessage(mailbox, rawMessage({ From: from, To: 'answers@casedesk.test', Subject: `Question ${n}`, 'Message-ID': id, ...extra }, body));
    return waitFor(async () => {
      const row = await em().findOne(InboundMessage, { messageId: id });
      return row && row.state !== 'stored' ? row : null;
    }, { timeoutMs: 20_000, what: `message ${id} processed` });
  };
  const outboxTo = (address: string) => em().find(Outbox, { toAddress: address }, { orderBy: { id: 'asc' } });

  it('a stranger gets one not-subscribed notice, no draft, and nothing more within 24 hours', async () => {
    const first = await ask('Stranger <stranger@elsewhere.test>');
    expect(first.state).toBe('parsed');
    const caseRow = await em().findOneOrFail(Case, { id: first.caseId! });
    expect(caseRow.state).toBe('closed');
    expect(await em().count(Draft, { caseId: caseRow.id })).toBe(0);
    await waitFor(async () => (await outboxTo('stranger@elsewhere.test')).every((o) => o.state === 'sent') && smtp.messages.length >= 1, { timeoutMs: 20_000, what: 'notice sent' });
    const [notice] = await outboxTo('stranger@elsewhere.test');
    expect(notice.kind).toBe('not-subscribed');
    const mail = smtp.messages.find((m) => m.parsed?.messageId === notice.messageId)!;
    expect(mail.parsed?.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.parsed?.text).not.toMatch(/99214|93000/);

    const second = await ask('stranger@elsewhere.test');
    expect(second.state).toBe('parsed');
    expect(await outboxTo('stranger@elsewhere.test')).toHaveLength(1);

    // An out-of-office answering the notice is recorded and gets nothing.
    const ooo = await ask('stranger@elsewhere.test', { 'In-Reply-To': notice.messageId, 'Auto-Submitted': 'auto-replied', Subject: 'Automatic reply: away' }, 'I am away.');
    expect(ooo.state).toBe('ignored');
    expect(ooo.caseId).toBe(caseRow.id);
    expect(await outboxTo('stranger@elsewhere.test')).toHaveLength(1);
  });

  it('a subscriber within quota gets received + a draft; over quota gets one over-quota notice and no draft', async () => {
    const sub = await addSubscriber(em(), 'busy@clinic.test', 'trial', cd.config.env.PLANS);
    // Two questions already counted this month (trial quota is 2 here).
    const seed = em();
    for (let i = 0; i < 2; i++) seed.create(Case, { subject: `earlier ${i}`, requesterEmail: 'busy@clinic.test', subscriberId: sub.id });
    await seed.flush();
    const over = await ask('busy@clinic.test');
    const overCase = await em().findOneOrFail(Case, { id: over.caseId! });
    expect(overCase.state).toBe('closed');
    expect(overCase.subscriberId ?? null).toBeNull(); // not counted
    expect(await em().count(Draft, { caseId: overCase.id })).toBe(0);
    const notices = await outboxTo('busy@clinic.test');
    expect(notices.map((o) => o.kind)).toEqual(['over-quota']);

    await addSubscriber(em(), 'fresh@clinic.test', 'standard', cd.config.env.PLANS);
    const ok = await ask('fresh@clinic.test');
    const draft = await waitFor(async () => em().findOne(Draft, { caseId: ok.caseId! }), { timeoutMs: 20_000, what: 'draft' });
    expect(draft.kind).toBe('answer');
    expect((await outboxTo('fresh@clinic.test')).map((o) => o.kind)).toEqual(['received']);
    // A follow-up in the same case is not a new question: no new case, no new notice.
    const follow = await ask('fresh@clinic.test', { 'In-Reply-To': `<subs-${driver}-${n}@mail.test>`, Subject: `Re: Question ${n} [CD-${ok.caseId}]` });
    expect(follow.caseId).toBe(ok.caseId);
    expect((await outboxTo('fresh@clinic.test')).map((o) => o.kind)).toEqual(['received']);
    expect(await em().count(Case, { subscriberId: (await em().findOneOrFail(Case, { id: ok.caseId! })).subscriberId })).toBe(1);
  });
});
