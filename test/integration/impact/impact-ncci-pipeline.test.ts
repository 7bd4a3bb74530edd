import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesImpact, codesImport } from '../../../src/cli/commands/codes.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { Impact } from '../../../src/impact/impact.entity.ts';
import type { ImpactView } from '../../../src/impact/impacts.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { seedSentAnswer } from '../../support/sent-answers.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { consultantClient } from '../../support/web-session.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/codes');
// The release after the end-to-end fixture (made-up values, official layout): 97140/97530 goes
// from modifier indicator 1 to 0, 20610/76942 is deleted from 2025-04-01; the rest is unchanged.
const NCCI_Q1 = resolve(FIXTURES, 'ccipra-v311r0-f1.txt');
const NCCI_Q2 = resolve(FIXTURES, 'impact/ccipra-v312r0-f1.txt');
const METRICS_TOKEN = 'impact-test-metrics-token-0123456789';

describe.each(TEST_DRIVERS)('release impact on %s: answer sent → new NCCI release → follow-up approved → threaded', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('impact');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, env: { METRICS_TOKEN } });
    await codesImport(cd.app.orm, 'ncci', NCCI_Q1, { effective: '2025-01-01', version: '2025Q1', lookbackDays: 180 });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  const client = consultantClient(() => cd.app.url, em, { email: 'consultant@casedesk.test', password: 'impact-password-123' });
  const { api, page } = client;
  const openImpacts = async () => {
    const text = await (await fetch(`${cd.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return Number(/^casedesk_impacts_open (\d+)$/m.exec(text)?.[1]);
  };

  it('names the affected answers, drafts one follow-up, sends it only on approval, threaded to the question', async () => {
    // 1. A real question through the pipeline, answered and sent.
    await addSubscriber(em(), 'pat@clinic.test', 'standard', cd.config.env.PLANS);
    const questionId = `<impact-q-${driver}@clinic.test>`;
    await appendMessage(mailbox, rawMessage({ From: 'Pat Coder <pat@clinic.test>', To: 'answers@casedesk.test', Subject: 'Can 97530 be billed with 97140?', 'Message-ID': questionId },
      'Hello,\n\nCan 97530 and 97140 be billed together, DOS 01/15/2025?\n\nThanks,\nPat'));
    const draft = await waitFor(async () => em().findOne(Draft, { state: 'pending' }), { timeoutMs: 20_000, what: 'a pending draft' });
    const bodyText = draft.bodyText.replace('[CONSULTANT ANSWER — write here]', 'Yes: indicator 1, use 59 on 97140 when documented.');
    expect((await api(`/api/drafts/${draft.id}/approve`, { method: 'POST', body: JSON.stringify({ bodyText }) })).status).toBe(200);
    await smtp.waitForMessages(2, 20_000);
    await waitFor(async () => (await em().findOneOrFail(Draft, { id: draft.id })).state === 'sent', { timeoutMs: 10_000, what: 'answer sent' });

    // 2. Two more sent answers, seeded: one cites the pair the new release deletes, one a pair it keeps.
    const deleted = await seedSentAnswer(em(), 1, { pairs: [{ codes: ['20610', '76942'] }] });
    await seedSentAnswer(em(), 2, { pairs: [{ codes: ['36415', '36416'] }] });
    // And Pat asked about the same pair again in another case (written the other way round).
    const again = await seedSentAnswer(em(), 3, { pairs: [{ codes: ['97140', '97530'] }], requester: 'pat@clinic.test' });

    // 3. The next NCCI release is imported: exactly the two answers are affected.
    const imported = await codesImport(cd.app.orm, 'ncci', NCCI_Q2, { effective: '2025-04-01', version: '2025Q2', lookbackDays: 180 });
    expect(imported.json).toMatchObject({ impact: { answersChecked: 4, affected: 3, created: 3 } });
    const listed = (await codesImpact(em(), 'latest', { lookbackDays: 180 })).json as { release: { id: number }; impacts: ImpactView[] };
    expect(Object.fromEntries(listed.impacts.map((i) => [i.draftId, i.facts.map((f) => `${f.fact}: ${f.changes.join(',')}`)]))).toEqual({
      [draft.id]: ['97530/97140: indicator-changed'],
      [deleted.draftId]: ['20610/76942: edit-deleted'],
      [again.draftId]: ['97140/97530: indicator-changed'],
    });
    expect(listed.impacts.find((i) => i.draftId === draft.id)!.facts[0]).toMatchObject({ before: { modifierIndicator: '1' }, after: { modifierIndicator: '0' } });

    // 4. Consultants see them; the case carries a badge; /metrics counts them.
    const html = await page('/impacts');
    expect(html).toContain('Answers affected by new releases');
    expect(html).toContain(`CD-${draft.caseId}`);
    expect(html).toContain('the modifier indicator changed from 1 to 0');
    expect(html).toContain(`<input type="hidden" name="caseId" value="${draft.caseId}">`);
    expect(await page('/queue?state=sent')).toMatch(new RegExp(`CD-${draft.caseId}</a> <a class="badge badge-impact"`));
    expect(await openImpacts()).toBe(3);

    // 5. Draft the follow-up (twice: one draft); nothing is mailed before approval.
    const asked = { caseId: draft.caseId, releaseId: listed.release.id };
    // From the page's "Draft follow-up" form: to the case page with the new draft.
    const formCsrf = /name="_csrf" value="([^"]+)"/.exec(html)![1];
    const posted = await fetch(`${cd.app.url}/impacts/follow-up`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: (await client.session()).cookie },
      body: new URLSearchParams({ caseId: String(asked.caseId), releaseId: String(asked.releaseId), _csrf: formCsrf }),
    });
    expect(posted.status).toBe(303);
    const draftedId = Number(/\/cases\/\d+\?draft=(\d+)$/.exec(posted.headers.get('location') ?? '')?.[1]);
    const second = await api('/api/impacts/follow-up', { method: 'POST', body: JSON.stringify(asked) });
    expect(second.body).toEqual({ draftId: draftedId, caseId: draft.caseId, already: true });
    const followUp = await em().findOneOrFail(Draft, { id: draftedId });
    expect(followUp).toMatchObject({ kind: 'follow-up', state: 'pending', caseId: draft.caseId });
    expect(followUp.bodyText).toContain('for dates of service from 2025-04-01');
    expect(await em().count(Draft, { kind: 'follow-up' })).toBe(1);
    // The review page opens it like any draft.
    expect(await page(`/cases/${draft.caseId}?draft=${followUp.id}`)).toContain('the modifier indicator changed from 1 to 0');
    expect(smtp.messages).toHaveLength(2);

    // 6. Approved like any draft: sent in the thread of the original question.
    expect((await api(`/api/drafts/${followUp.id}/approve`, { method: 'POST', body: '{}' })).status).toBe(200);
    const [, , mail] = await smtp.waitForMessages(3, 20_000);
    expect(mail.parsed?.inReplyTo).toBe(questionId);
    expect([mail.parsed?.references].flat()).toContain(questionId);
    expect(mail.parsed?.subject).toBe(`Re: Can 97530 be billed with 97140? [CD-${draft.caseId}]`);
    expect(mail.parsed?.text).toContain('97530/97140: the modifier indicator changed from 1 to 0');
    expect(mail.envelope.rcptTo.map((r) => r.address)).toEqual(['pat@clinic.test']);
    await waitFor(async () => (await em().findOneOrFail(Draft, { id: followUp.id })).state === 'sent', { timeoutMs: 10_000, what: 'follow-up sent' });
    expect(await openImpacts()).toBe(2);

    // Pat was told of that change once: no second follow-up for it from the other case.
    const twice = await api('/api/impacts/follow-up', { method: 'POST', body: JSON.stringify({ caseId: again.caseId, releaseId: listed.release.id }) });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toContain(`already told to pat@clinic.test in a follow-up (CD-${draft.caseId})`);
    expect(await em().count(Draft, { kind: 'follow-up' })).toBe(1);
    // …and that case's impact is settled by the follow-up that told it.
    expect(await openImpacts()).toBe(1);
    expect((await api('/api/impacts/follow-up', { method: 'POST', body: JSON.stringify({ caseId: again.caseId, releaseId: listed.release.id }) })).body).toEqual({ draftId: followUp.id, caseId: draft.caseId, already: true });

    // 7. Importing the same release again creates no new impacts.
    const reimported = await codesImport(cd.app.orm, 'ncci', NCCI_Q2, { effective: '2025-04-01', version: '2025Q2', lookbackDays: 180 });
    expect(reimported.json).toMatchObject({ skipped: true, impact: { created: 0, affected: 3 } });
    expect(await em().count(Impact, {})).toBe(3);
  });
});
