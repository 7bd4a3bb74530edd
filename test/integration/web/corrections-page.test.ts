import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { ClassificationCorrection } from '../../../src/cases/correction.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { jobIdFor } from '../../../src/shared/queues.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { buildTestWebApp, Browser, createUser, seedCase, type WebApp } from './web-app.ts';

const RAW = Buffer.from('From: Dana Biller <dana@clinic.test>\r\nSubject: Automatic reply: is 99213-25 ok?\r\nMessage-ID: <ooo@clinic.test>\r\n\r\nSecret body text\r\n');

/** The review page's side of classifier corrections: a draft withdrawn as automatic, and the admin list with "This was a person". */
describe.each(TEST_DRIVERS)('classifier corrections in the review page on %s', (driver) => {
  let web: WebApp;
  let con: Browser;
  let admin: Browser;
  const em = () => web.db.orm.em.fork();
  const inbound = async (fields: Partial<InboundMessage>) => {
    const e = em();
    const row = e.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 1, uid: Math.floor(Math.random() * 1e9), contentHash: createHash('sha256').update(String(Math.random())).digest('hex'), size: RAW.length, raw: RAW, ...fields });
    await e.flush();
    return row;
  };

  beforeAll(async () => {
    web = await buildTestWebApp(driver);
    await createUser(web, 'con@casedesk.test');
    await createUser(web, 'boss@casedesk.test', 'admin');
    con = new Browser(web.app);
    admin = new Browser(web.app);
    await con.login('con@casedesk.test');
    await admin.login('boss@casedesk.test');
  });
  afterAll(async () => web?.close());

  it('"Not a question: automatic mail" withdraws the draft, closes the case and sends nothing', async () => {
    const { caseId, messageId, draftId } = await seedCase(web);
    await inbound({ state: 'parsed', caseId, caseMessageId: messageId, kind: null, reasons: [] });
    expect((await con.get(`/cases/${caseId}?draft=${draftId}`)).body).toContain(`action="/drafts/${draftId}/automatic"`);
    const res = await con.post(`/drafts/${draftId}/automatic`, {});
    expect(res.statusCode).toBe(303);
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('rejected');
    expect((await em().findOneOrFail(Case, { id: caseId })).state).toBe('closed');
    expect(await em().count(ClassificationCorrection, { caseId, label: 'automatic' })).toBe(1);
    expect(await web.queues.queues.send.count()).toBe(0);
  });

  it('lists suppressed messages with sender and subject for admins only, and "This was a person" queues the message again', async () => {
    const row = await inbound({ state: 'ignored', kind: 'auto-reply', reasons: ['Auto-Submitted: auto-replied'] });
    expect((await con.get('/admin/corrections')).statusCode).toBe(403);
    const page = await admin.get('/admin/corrections');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Automatic reply: is 99213-25 ok?');
    expect(page.body).toContain('dana@clinic.test');
    expect(page.body).not.toContain('Secret body text');
    const res = await admin.post(`/admin/messages/${row.id}/human`, {}, { csrf: await admin.csrf('/admin/corrections') });
    expect(res.statusCode).toBe(303);
    const after = await em().findOneOrFail(InboundMessage, { id: row.id });
    expect(after.state).toBe('stored');
    expect(await web.queues.queues.parse.getJob(jobIdFor('parse', row.id))).toBeTruthy();
    const listed = await admin.get('/admin/corrections');
    expect(listed.body).toMatch(new RegExp(`<td>${row.id}</td><td>–</td><td>automatic</td><td>auto-reply</td><td><b>human</b>`));
  });
});
