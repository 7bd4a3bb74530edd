import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Outbox, type OutboxState } from '../../../src/cases/outbox.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { AuditEntry } from '../../../src/review/audit.entity.ts';
import { hashMessageId } from '../../../src/shared/message-id.ts';
import { runCasedesk } from '../../support/cli.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { Browser, buildTestWebApp, createUser, type WebApp } from './web-app.ts';

/** The outbox: `casedesk outbox list` and `/admin/outbox` with "resend" and "mark sent" for unknown mail. */
describe.each(TEST_DRIVERS)('the outbox on %s', (driver) => {
  let web: WebApp;
  beforeAll(async () => {
    web = await buildTestWebApp(driver);
    await createUser(web, 'boss@casedesk.test', 'admin');
    await createUser(web, 'coder@casedesk.test', 'consultant');
  });
  afterAll(async () => {
    await web?.close();
  });
  const em = () => web.db.orm.em.fork();

  /** A case with its question, an approved draft and its outbox row in `state`. */
  const reply = async (state: OutboxState, lastError: string | null = null) => {
    const e = em();
    const c = e.create(Case, { subject: 'Q', requesterEmail: 'coder@clinic.test' });
    await e.flush();
    const qid = `<q-${c.id}@clinic.test>`;
    const q = e.create(CaseMessage, { caseId: c.id, direction: 'in', messageId: qid, messageIdHash: hashMessageId(qid), fromAddress: 'coder@clinic.test', subject: 'Q', textNew: 'x', textFull: 'x' });
    await e.flush();
    const d = e.create(Draft, { caseId: c.id, caseMessageId: q.id, kind: 'answer', state: 'approved', subject: 'Re: Q', bodyText: 'A.', bodyHtml: '<p>A.</p>' });
    await e.flush();
    const o = e.create(Outbox, { dedupeKey: `draft:${d.id}`, kind: 'answer', caseId: c.id, draftId: d.id, messageId: `<cd.${c.id}.x${d.id}@casedesk.test>`, toAddress: 'coder@clinic.test', subject: 'Re: Q', text: 'A.', state, attempts: 1, lastError });
    await e.flush();
    return { caseId: c.id, draftId: d.id, outboxId: o.id };
  };

  it('casedesk outbox list: every mail with case, kind, state, attempts and last error; filtered by state and kind', async () => {
    const unknown = await reply('unknown', 'process stopped during the SMTP transaction');
    const sent = await reply('sent');
    const all = await runCasedesk(web.db, ['outbox', 'list', '--json']);
    expect(all.status).toBe(0);
    const rows = JSON.parse(all.out) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([unknown.outboxId, sent.outboxId]));
    expect(rows.find((r) => r.id === unknown.outboxId)).toMatchObject({ case: `CD-${unknown.caseId}`, kind: 'answer', state: 'unknown', attempts: 1, lastError: 'process stopped during the SMTP transaction', decidable: true });
    const only = JSON.parse((await runCasedesk(web.db, ['outbox', 'list', '--state', 'unknown', '--kind', 'answer', '--json'])).out) as Array<{ state: string }>;
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((r) => r.state === 'unknown')).toBe(true);
    expect((await runCasedesk(web.db, ['outbox', 'list'])).out).toMatch(/^ID +CASE +KIND +STATE +ATTEMPTS +UPDATED +LAST ERROR\n/);
    expect(await runCasedesk(web.db, ['outbox', 'list', '--state', 'lost'])).toMatchObject({ status: 2, err: expect.stringMatching(/--state must be one of queued, sending, sent, unknown, failed, bounced/) });
  });

  it('/admin/outbox: admins only; mark sent records the reply, resend queues it again; both audited', async () => {
    const arrived = await reply('unknown');
    const lost = await reply('unknown');
    const coder = new Browser(web.app);
    await coder.login('coder@casedesk.test');
    expect((await coder.get('/admin/outbox')).statusCode).toBe(403);

    const boss = new Browser(web.app);
    await boss.login('boss@casedesk.test');
    const page = await boss.get('/admin/outbox?state=unknown');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/admin/outbox/mark-sent"');
    expect(page.body).toContain(`CD-${arrived.caseId}`);

    await boss.post('/admin/outbox/mark-sent', { id: String(arrived.outboxId) });
    expect((await em().findOneOrFail(Outbox, { id: arrived.outboxId })).state).toBe('sent');
    expect((await em().findOneOrFail(Draft, { id: arrived.draftId })).state).toBe('sent');
    expect(await em().count(CaseMessage, { caseId: arrived.caseId, direction: 'out' })).toBe(1);
    expect((await em().findOneOrFail(Case, { id: arrived.caseId })).state).toBe('answered');

    await boss.post('/admin/outbox/resend', { id: String(lost.outboxId) });
    expect((await em().findOneOrFail(Outbox, { id: lost.outboxId })).state).toBe('queued');
    expect(await web.queues.queues.send.getJob(`send-${lost.outboxId}`)).toBeTruthy();

    // A second decision on the same row is refused, not applied twice.
    const again = await boss.post('/admin/outbox/mark-sent', { id: String(lost.outboxId) });
    expect(again.statusCode).toBe(303);
    expect((await em().findOneOrFail(Outbox, { id: lost.outboxId })).state).toBe('queued');
    expect((await em().find(AuditEntry, { action: { $in: ['outbox.resend', 'outbox.mark-sent'] } })).map((a) => a.action).sort()).toEqual(['outbox.mark-sent', 'outbox.resend']);
  });
});
