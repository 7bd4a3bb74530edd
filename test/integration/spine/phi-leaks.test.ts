import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { createTestMailbox, deleteMailbox, deliverViaLmtpInto, waitFor } from '../../support/imap.ts';
import { captureLog, dumpRedisPrefix, plantedIn } from '../../support/leak-scan.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { consultantClient } from '../../support/web-session.ts';

const METRICS_TOKEN = 'phi-leak-metrics-token-0123456789';

/** The patient identifiers a coder pastes into a question: none may reach a reply, a log line, Redis or /metrics. */
const PLANTED = ['Johnathan Quimbly', 'Quimbly', '04/17/1952', '1EG4-TE5-MK73', '1EG4TE5MK73', 'XKQ882910455', '(555) 867-5309'];
const QUESTION =
  'Hello,\n\nPatient name: Johnathan Quimbly, DOB 04/17/1952, MBI 1EG4-TE5-MK73, member ID: XKQ882910455, callback (555) 867-5309.\n' +
  'Can 97530 and 97140 be billed together, DOS 01/15/2025? Dx M54.50.\n\nThanks,\nPat';

describe.each(TEST_DRIVERS)('patient identifiers on %s: never in a reply, a log line, Redis or /metrics', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  const log = captureLog();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('phi');
    // The production logger (its redaction and serializers), at the most verbose level, into memory.
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, env: { METRICS_TOKEN, LOG_LEVEL: 'trace' }, log: createLogger({ level: 'trace', destination: log }) });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  const { session: login } = consultantClient(() => cd.app.url, em, { email: 'consultant@casedesk.test', password: 'phi-password-123' });

  it('drafts and sends a reply without them, files a long display name, and a failed insert leaks nothing', async () => {
    await addSubscriber(em(), 'pat@clinic.test', 'standard', cd.config.env.PLANS);
    const questionId = `<phi-${driver}-1@clinic.test>`;
    await deliverViaLmtpInto(mailbox, questionId, rawMessage({
      From: 'Pat Coder <pat@clinic.test>', To: 'answers@casedesk.test', Subject: 'Question for pt Johnathan Quimbly: 97530 with 97140', 'Message-ID': questionId,
    }, QUESTION));

    const draft = await waitFor(async () => em().findOne(Draft, { state: 'pending' }), { timeoutMs: 30_000, what: 'a pending draft' });
    // The identifiers are stored with the question (the system of record) and marked there…
    const question = await em().findOneOrFail(CaseMessage, { messageId: questionId });
    expect(question.textNew).toContain('Johnathan Quimbly');
    expect(question.phiSpans?.map((s) => s.kind)).toEqual(['name', 'dob', 'mbi', 'member-id', 'phone']);
    // …and the draft quotes the question without them; the codes and the date of service stay.
    expect(plantedIn(`${draft.subject}\n${draft.bodyText}\n${draft.bodyHtml}`, PLANTED)).toEqual([]);
    expect(draft.bodyText).toContain('Patient name: [removed: patient name], DOB [removed: date of birth], MBI [removed: Medicare ID]');
    expect(draft.bodyText).toContain('DOS 01/15/2025');
    expect(draft.codes.cpt).toEqual(['97530', '97140']);

    const session = await login();
    const answer = draft.bodyText.replace('[CONSULTANT ANSWER — write here]', 'Yes, with modifier 59 when the documentation supports a distinct service.');
    const approved = await fetch(`${cd.app.url}/api/drafts/${draft.id}/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf }, body: JSON.stringify({ bodyText: answer }),
    });
    expect(approved.status).toBe(200);
    const sent = await smtp.waitForMessages(2, 30_000);
    expect(sent.map((m) => m.parsed?.headers.get('auto-submitted') ?? 'reply').sort()).toEqual(['auto-replied', 'reply']);
    for (const m of sent) expect(plantedIn(m.raw.toString('utf8'), PLANTED)).toEqual([]);
    expect(sent.find((m) => !m.parsed?.headers.get('auto-submitted'))!.parsed?.text).toContain('[removed: member ID]');

    // A display name longer than its column (varchar(320)) is cut to fit, not quarantined.
    const longId = `<phi-${driver}-long@clinic.test>`;
    await deliverViaLmtpInto(mailbox, longId, rawMessage({ From: `"${'Pat '.repeat(120)}" <pat@clinic.test>`, To: 'answers@casedesk.test', Subject: 'Is 97110 timed?', 'Message-ID': longId }, 'Is 97110 a timed code?'));
    const long = await waitFor(async () => em().findOne(CaseMessage, { messageId: longId }), { timeoutMs: 30_000, what: 'the long-name message filed' });
    expect(long.fromName?.length).toBe(320);
    expect((await em().findOneOrFail(Case, { id: long.caseId })).requesterName?.length).toBe(320);

    if (driver === 'postgresql') {
      // The planted database error: a column too short for the display name, so the insert that
      // carries the question (MikroORM inlines its values into the SQL of the error) fails every attempt.
      await em().getConnection().execute('alter table case_message alter column from_name type varchar(10) using left(from_name, 10)');
      const failingId = `<phi-${driver}-fail@clinic.test>`;
      await deliverViaLmtpInto(mailbox, failingId, rawMessage({
        From: 'Pat Coder Senior <pat@clinic.test>', To: 'answers@casedesk.test', Subject: 'Follow-up on 97530', 'Message-ID': failingId,
      }, QUESTION.replace('Can 97530', 'Again: can 97530')));
      const failed = await waitFor(async () => {
        const row = await em().findOne(InboundMessage, { messageId: failingId });
        return row?.state === 'quarantined' ? row : null;
      }, { timeoutMs: 60_000, what: 'the failing message quarantined after its attempts' });
      expect(failed.error).toMatch(/^parse failed: \S*Exception 22001/);
      expect(plantedIn(failed.error ?? '', PLANTED)).toEqual([]);
      expect(log.lines.some((l) => l.includes('"job failed"') && l.includes('22001'))).toBe(true);
    }

    const metrics = await fetch(`${cd.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const redis = await dumpRedisPrefix(cd.prefix);
    if (driver === 'postgresql') expect(redis.keys.some((k) => k.endsWith(':parse:failed'))).toBe(true);
    const logText = log.lines.join('');
    expect(log.lines.length).toBeGreaterThan(10);
    expect({ logs: plantedIn(logText, PLANTED), redis: plantedIn(redis.text, PLANTED), metrics: plantedIn(await metrics.text(), PLANTED) }).toEqual({ logs: [], redis: [], metrics: [] });
    // The outbox and inbound error columns hold safe text only.
    const errors = [...(await em().find(InboundMessage, {})).map((r) => r.error ?? ''), ...(await em().find(Outbox, {})).map((r) => r.lastError ?? '')];
    expect(plantedIn(errors.join('\n'), PLANTED)).toEqual([]);
  });
});
