import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { importCodeFile } from '../../../src/codes/index.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { loadDraftStats } from '../../../src/review/draft-stats-load.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { consultantClient } from '../../support/web-session.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/codes');
// [system, file, effective date, version]: the NCCI fixture is given the January quarter explicitly.
const CODE_FIXTURES: [string, string, string | undefined, string | undefined][] = [
  ['ncci', 'ccipra-v311r0-f1.txt', '2025-01-01', '2025Q1'],
  ['mue', 'MCR_MUE_PractitionerServices_Eff_2025-01-01.csv', undefined, undefined],
];

describe.each(TEST_DRIVERS)('end to end on %s: question → draft → approve → threaded reply', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('e2e');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port });
    // The code database the evidence is built from: made-up fixture releases in the official layouts.
    for (const [system, file, effective, version] of CODE_FIXTURES) await importCodeFile(cd.app.orm, { system, file: resolve(FIXTURES, file), effective, version });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  // The API needs a login session and, for POSTs, the session's CSRF token: log in as a consultant.
  const { api } = consultantClient(() => cd.app.url, em, { email: 'consultant@casedesk.test', password: 'e2e-password-123' });

  /** No job waiting, running or delayed, no message left `stored`, no outbox row `queued` or `sending`. */
  const settled = async (): Promise<boolean> => {
    const depths = Object.values(await cd.app.queues.depths());
    const busy = depths.some((d) => (d.waiting ?? 0) + (d.active ?? 0) + (d.delayed ?? 0) > 0);
    if (busy) return false;
    const stored = await em().count(InboundMessage, { state: 'stored' });
    const unsent = await em().count(Outbox, { state: { $in: ['queued', 'sending'] } });
    return stored === 0 && unsent === 0;
  };

  it('answers a question in its thread, threads the follow-up, ignores the out-of-office', async () => {
    await addSubscriber(em(), 'pat@clinic.test', 'standard', cd.config.env.PLANS);
    const questionId = `<q-${driver}-1@clinic.test>`;
    await appendMessage(mailbox, rawMessage({
      From: 'Pat Coder <pat@clinic.test>', To: 'answers@casedesk.test', Subject: 'Can 97530 be billed with 97140?', 'Message-ID': questionId,
    }, 'Hello,\n\nCan 97530 and 97140 be billed together, DOS 01/15/2025? Dx M54.50.\n\nThanks,\nPat'));

    const draft = await waitFor(async () => em().findOne(Draft, { state: 'pending' }), { timeoutMs: 20_000, what: 'a pending draft' });
    expect(draft.kind).toBe('answer');
    expect(draft.codes.cpt).toEqual(['97530', '97140']);
    expect(draft.codes.icd10cm).toEqual(['M54.50']);
    const inbound = await em().findOneOrFail(InboundMessage, { messageId: questionId });
    expect(inbound.state).toBe('parsed');

    const shown = await api(`/api/drafts/${draft.id}`);
    expect(shown.status).toBe(200);
    // The evidence is built from the imported releases as of the date of service in the question.
    const evidence = shown.body.evidence as Record<string, unknown>;
    expect(evidence.dateOfService).toMatchObject({ date: '2025-01-15', source: 'email', written: '01/15/2025' });
    expect(evidence.codes).toEqual([
      // No licensee CPT release (CaseDesk ships none): well-formed CPT codes, validity not checked, no descriptor text.
      expect.objectContaining({ code: '97530', systemLabel: 'CPT', status: 'unchecked', descriptor: 'CPT descriptor not licensed', cptText: false }),
      expect.objectContaining({ code: '97140', systemLabel: 'CPT', status: 'unchecked', descriptor: 'CPT descriptor not licensed', cptText: false }),
      // No ICD-10-CM release imported: not found, and said so.
      expect.objectContaining({ code: 'M54.50', systemLabel: 'ICD-10-CM', status: 'unknown', descriptor: null }),
    ]);
    // The NCCI PTP fixture's edit for the pair, with its modifier indicator and rationale.
    expect(evidence.pairs).toEqual([expect.objectContaining({
      codes: ['97530', '97140'],
      checked: true,
      edit: expect.objectContaining({ column1: '97140', column2: '97530', modifierIndicator: '1', inForce: true, rationale: 'Mutually exclusive procedures' }),
      summary: expect.stringContaining('modifier indicator 1'),
    })]);
    // The MUE fixture has no valid row for either code (97530's value "six" is rejected at import): checked, none.
    expect(evidence.mue).toEqual([
      expect.objectContaining({ code: '97530', checked: true, value: null, summary: 'No MUE for 97530 in force on 2025-01-15.' }),
      expect.objectContaining({ code: '97140', checked: true, value: null, summary: 'No MUE for 97140 in force on 2025-01-15.' }),
    ]);
    expect(evidence.versions).toEqual(['NCCI PTP 2025Q1', 'MUE 2025Q1']);
    expect(evidence.containsCptText).toBe(false);

    // The draft carries the suggested answer (the same composer as `casedesk suggest`) in place of
    // the marker, with its intents and facts; approving it unedited is "Approve suggested answer".
    expect(draft.bodyText).not.toContain('[CONSULTANT ANSWER — write here]');
    expect(draft.suggestedAnswer).toBeTruthy();
    expect(draft.bodyText).toContain(draft.suggestedAnswer!);
    expect(draft.suggestedAnswer).toContain('97140');
    expect(draft.suggestedAnswer).toContain('NCCI PTP 2025Q1');
    expect(shown.body).toMatchObject({
      suggested: true,
      suggestion: {
        intents: expect.arrayContaining(['ncci-pair']),
        unchanged: true,
        approveAction: 'Approve suggested answer',
        facts: expect.arrayContaining([expect.objectContaining({ kind: 'ncci', codes: ['97530', '97140'], edit: true, column1: '97140', column2: '97530', modifierIndicator: '1', inEffect: true })]),
      },
    });
    // The reply's evidence agrees with the answer: nothing "not checked" beside the cited edit;
    // CPT validity (no CPT release) is said once to be not checked.
    expect(draft.bodyText).not.toMatch(/no NCCI PTP release/);
    expect(draft.bodyText.match(/NOT CHECKED/g)).toHaveLength(1);
    expect(draft.bodyText).toContain('- CPT validity of 97530, 97140: no CPT release is loaded.');
    const approved = await api(`/api/drafts/${draft.id}/approve`, { method: 'POST', body: JSON.stringify({ actor: 'consultant@casedesk.test' }) });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ suggested: true, approvedUnchanged: true, action: 'Approve suggested answer' });
    const received = await smtp.waitForMessages(2, 20_000);
    // The automatic acknowledgement went out at intake; the consultant's answer after approval.
    const ack = received.find((m) => m.parsed?.headers.get('auto-submitted') === 'auto-replied')!;
    expect(ack.parsed?.subject).toBe(`Re: Can 97530 be billed with 97140? [CD-${draft.caseId}]`);
    expect(ack.parsed?.text).toContain(`CD-${draft.caseId}`);
    const reply = received.find((m) => m !== ack)!;
    expect(reply.parsed?.headers.get('auto-submitted')).toBeUndefined();
    expect(reply.parsed?.inReplyTo).toBe(questionId);
    expect([reply.parsed?.references].flat()).toEqual([questionId]);
    expect(reply.parsed?.text).toContain(draft.suggestedAnswer!.split('\n\n')[1]);
    expect(reply.parsed?.text).not.toContain('[CONSULTANT ANSWER');
    expect(reply.parsed?.subject).toBe(`Re: Can 97530 be billed with 97140? [CD-${draft.caseId}]`);
    expect(reply.envelope.rcptTo.map((r) => r.address)).toEqual(['pat@clinic.test']);
    const replyId = reply.parsed!.messageId!;
    await waitFor(async () => (await em().findOneOrFail(Draft, { id: draft.id })).state === 'sent', { timeoutMs: 10_000, what: 'draft sent' });

    // Approving again changes nothing and sends nothing.
    const again = await api(`/api/drafts/${draft.id}/approve`, { method: 'POST', body: '{}' });
    expect(again.body.already).toBe(true);

    // The coder follows up in the same thread.
    await appendMessage(mailbox, rawMessage({
      From: 'pat@clinic.test', To: 'answers@casedesk.test', Subject: `Re: Can 97530 be billed with 97140? [CD-${draft.caseId}]`,
      'Message-ID': `<q-${driver}-2@clinic.test>`, 'In-Reply-To': replyId, References: `${questionId} ${replyId}`,
    }, 'And what if 97530 is billed with modifier 59?\n\n> earlier text'));
    const followUp = await waitFor(async () => em().findOne(CaseMessage, { messageId: `<q-${driver}-2@clinic.test>` }), { timeoutMs: 20_000, what: 'follow-up threaded' });
    expect(followUp.caseId).toBe(draft.caseId);
    expect(await em().count(Case, {})).toBe(1);

    // An out-of-office answering our reply gets nothing.
    await appendMessage(mailbox, rawMessage({
      From: 'pat@clinic.test', To: 'answers@casedesk.test', Subject: 'Out of office: Re: Can 97530 be billed with 97140?',
      'Message-ID': `<ooo-${driver}@clinic.test>`, 'In-Reply-To': replyId, 'Auto-Submitted': 'auto-replied',
    }, 'I am out of the office until Monday.'));
    const ooo = await waitFor(async () => {
      const row = await em().findOne(InboundMessage, { messageId: `<ooo-${driver}@clinic.test>` });
      return row && row.state !== 'stored' ? row : null;
    }, { timeoutMs: 20_000, what: 'out-of-office processed' });
    expect(ooo.state).toBe('ignored');
    expect(ooo.kind).toBe('auto-reply');
    expect(ooo.caseId).toBe(draft.caseId);

    await waitFor(async () => (await em().count(Draft, {})) === 2, { timeoutMs: 20_000, what: 'follow-up draft' });
    // The follow-up writes no date of service: it inherits the case's.
    const followUpDraft = await em().findOneOrFail(Draft, { caseMessageId: followUp.id });
    expect(followUpDraft.evidence.dateOfService).toMatchObject({ date: '2025-01-15', source: 'case' });
    // The edit figures (`casedesk stats drafts --json` prints this core's result).
    const stats = await loadDraftStats(em());
    expect(stats.overall).toMatchObject({ approvedUnchanged: 1, approvedEdited: 0, rejected: 0, medianEditDistance: 0 });
    expect(stats.byIntent['ncci-pair']).toMatchObject({ approvedUnchanged: 1 });
    // Nothing more can be sent once every queue is empty and every message and outbox row is settled.
    await waitFor(settled, { timeoutMs: 20_000, what: 'queues drained, every message and outbox row settled' });
    expect(smtp.messages).toHaveLength(2);
    expect(await em().count(Outbox, {})).toBe(2);
  });
});
