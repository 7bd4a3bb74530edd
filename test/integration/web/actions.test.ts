import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { CodeDescription } from '../../../src/codes/code-description.entity.ts';
import { CodeRelease } from '../../../src/codes/code-release.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { AuditEntry } from '../../../src/review/audit.entity.ts';
import { CaseNote } from '../../../src/review/case-note.entity.ts';
import { User } from '../../../src/review/user.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { Subscriber } from '../../../src/subscribers/subscriber.entity.ts';
import { WebSession } from '../../../src/web/web-session.entity.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { buildTestWebApp, Browser, createUser, seedCase, type WebApp } from './web-app.ts';

describe.each(TEST_DRIVERS)('review page actions, CSRF and sessions on %s', (driver) => {
  let web: WebApp;
  let con: Browser;
  const em = () => web.db.orm.em.fork();
  const audit = async (action: string, draftId?: number) => em().find(AuditEntry, { action, ...(draftId ? { draftId } : {}) });
  const flashOf = async (b: Browser, location: string) => /class="flash flash-(?:ok|error)" role="status">([^<]*)</.exec((await b.get(location)).body)?.[1] ?? null;

  beforeAll(async () => {
    web = await buildTestWebApp(driver);
    await createUser(web, 'con@casedesk.test');
    await createUser(web, 'boss@casedesk.test', 'admin');
    con = new Browser(web.app);
    const res = await con.login('con@casedesk.test');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/queue');
  });
  afterAll(async () => web?.close());

  it('sets a signed, HttpOnly, SameSite session cookie and a new session id at login', async () => {
    const b = new Browser(web.app);
    await b.get('/login');
    const before = b.cookies.get('casedesk_sid');
    const token = await b.csrf('/login');
    const res = await b.post('/login', { email: 'con@casedesk.test', password: 'correct horse battery' }, { csrf: token });
    const cookie = String([res.headers['set-cookie']].flat().find((c) => String(c).startsWith('casedesk_sid=')));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Expires=/i);
    expect(b.cookies.get('casedesk_sid')).not.toBe(before);
    const row = await em().findOne(WebSession, { userId: { $ne: null } });
    expect(row).toBeTruthy();
  });

  it('refuses a wrong password without saying which part was wrong, and audits it', async () => {
    const b = new Browser(web.app, '10.0.0.2');
    const token = await b.csrf('/login');
    const res = await b.post('/login', { email: 'con@casedesk.test', password: 'wrong password!!' }, { csrf: token });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Wrong email or password.');
    expect((await b.get('/queue')).statusCode).toBe(303);
    expect((await audit('login.failed')).length).toBeGreaterThan(0);
  });

  it('rate-limits login attempts', async () => {
    const b = new Browser(web.app, '10.0.0.3');
    const token = await b.csrf('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await b.post('/login', { email: 'x@casedesk.test', password: 'nope nope nope' }, { csrf: token })).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('refuses forms without a CSRF token, with a wrong one, or with another session\'s', async () => {
    const { draftId } = await seedCase(web);
    const other = new Browser(web.app);
    await other.login('boss@casedesk.test');
    const foreign = await other.csrf();
    for (const csrf of [null, 'forged-token', foreign]) {
      const res = await con.post(`/drafts/${draftId}/save`, { bodyText: 'changed' }, { csrf });
      expect(res.statusCode, String(csrf)).toBe(403);
    }
    const login = await new Browser(web.app, '10.0.0.4').post('/login', { email: 'con@casedesk.test', password: 'correct horse battery' }, { csrf: null });
    expect(login.statusCode).toBe(403);
    const api = await con.request({ method: 'POST', url: `/api/drafts/${draftId}/reject`, payload: { reason: 'x' }, headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(403);
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('pending');
    expect((await em().findOneOrFail(Draft, { id: draftId })).bodyText).not.toBe('changed\n');
  });

  it('shows the case: sanitised HTML, highlighted codes, evidence; records the view; the queue shows who has it open', async () => {
    const { caseId, draftId } = await seedCase(web);
    const page = await con.get(`/cases/${caseId}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).not.toContain('__pwned');
    expect(page.body).not.toContain('onerror');
    expect(page.body).not.toContain('tracker.example');
    expect(page.body).toContain('<span class="img-placeholder">[image]</span>');
    expect(page.body).toContain('data-href="https://example.com/x"');
    expect(page.body).toMatch(/<mark class="code code-cpt" title="cpt 97530">97530<\/mark>/);
    expect(page.body).toContain('CPT descriptor not licensed');
    expect((await audit('case.view')).some((a) => a.caseId === caseId && a.actor === 'con@casedesk.test')).toBe(true);
    const boss = new Browser(web.app);
    await boss.login('boss@casedesk.test');
    const queue = await boss.get('/queue');
    expect(queue.body).toContain(`/cases/${caseId}?draft=${draftId}`);
    expect(queue.body).toContain('<span class="viewer">con@casedesk.test</span>');
  });

  it('save stores the edited text and the HTML rendered from it, without approving', async () => {
    const { draftId } = await seedCase(web);
    const res = await con.post(`/drafts/${draftId}/save`, { bodyText: 'Hello Pat,\n\nYes, with modifier 59 <when documented>.\n' });
    expect(res.statusCode).toBe(303);
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.state).toBe('pending');
    expect(d.bodyText).toBe('Hello Pat,\n\nYes, with modifier 59 <when documented>.\n');
    expect(d.bodyHtml).toContain('&lt;when documented&gt;');
    expect((await audit('draft.save', draftId))).toHaveLength(1);
  });

  it('approve and send: outbox row, send job, audit; the queue no longer lists it as pending', async () => {
    const { draftId, caseId } = await seedCase(web);
    const res = await con.post(`/drafts/${draftId}/approve`, { bodyText: 'Hello Pat,\n\nEdited answer about 97530.\n' });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/cases\/\d+\?draft=\d+$|^\/queue$/);
    expect(res.headers.location).not.toBe(`/cases/${caseId}?draft=${draftId}`);
    expect(await flashOf(con, String(res.headers.location))).toContain('approved');
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.state).toBe('approved');
    expect(d.decidedBy).toBe('con@casedesk.test');
    const outbox = await em().findOneOrFail(Outbox, { id: d.outboxId! });
    expect(outbox.text).toContain('Edited answer about 97530.');
    expect(outbox.toAddress).toBe('pat@clinic.test');
    expect(await web.queues.queues.send.getJob(`send-${outbox.id}`)).toBeTruthy();
    expect((await audit('draft.approve', draftId))[0].actor).toBe('con@casedesk.test');
    expect((await con.get('/queue')).body).not.toContain(`/cases/${caseId}?draft=${draftId}"`);
  });

  it('refuses approval while a cited code does not resolve, and shows why (the edit is kept)', async () => {
    const e = em();
    e.create(CodeRelease, { system: 'icd10cm', layout: 'codes', version: 'FY2099-test', effectiveDate: '2000-01-01', sourceFile: 'none.txt', checksum: 'c'.repeat(64) });
    await e.flush();
    const { draftId, caseId } = await seedCase(web);
    const res = await con.post(`/drafts/${draftId}/approve`, { bodyText: 'Hello Pat,\n\nM54.59 is the code to use.\n' });
    expect(res.statusCode).toBe(303);
    const page = await con.get(String(res.headers.location));
    expect(page.body).toContain('cannot approve: M54.59 does not resolve in the code database');
    expect(page.body).toContain('Approval is blocked: M54.59');
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.state).toBe('pending');
    expect(d.bodyText).toContain('M54.59 is the code to use.');
    expect(await em().count(Outbox, { draftId })).toBe(0);
    // The page says it before the consultant even tries.
    expect((await con.get(`/cases/${caseId}`)).body).toContain('Approval is blocked: M54.59');
    await em().nativeDelete(CodeRelease, { version: 'FY2099-test' });
  });

  it('refuses approval while the answer placeholder is still in the text', async () => {
    const { draftId } = await seedCase(web);
    const res = await con.post(`/drafts/${draftId}/approve`, { bodyText: 'Hello,\n\n[CONSULTANT ANSWER — write here]\n' });
    expect(await flashOf(con, String(res.headers.location))).toContain('placeholder');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('pending');
  });

  it('reject needs a reason, stores it, sends nothing', async () => {
    const { draftId } = await seedCase(web);
    const empty = await con.post(`/drafts/${draftId}/reject`, { reason: ' ' });
    expect(await flashOf(con, String(empty.headers.location))).toContain('reason');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('pending');
    await con.post(`/drafts/${draftId}/reject`, { reason: 'Duplicate of CD-1' });
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.state).toBe('rejected');
    expect(d.rejectReason).toBe('Duplicate of CD-1');
    expect(await em().count(Outbox, { draftId })).toBe(0);
    expect((await audit('draft.reject', draftId))).toHaveLength(1);
  });

  it('ask for more information: renders needs-info and approves it as the reply', async () => {
    const { draftId } = await seedCase(web);
    const res = await con.post(`/drafts/${draftId}/needs-info`, {});
    expect(res.statusCode).toBe(303);
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.kind).toBe('needs-info');
    expect(d.state).toBe('approved');
    const outbox = await em().findOneOrFail(Outbox, { id: d.outboxId! });
    expect(outbox.kind).toBe('needs-info');
    expect(outbox.text).toContain('Can 97530 and 97140 be billed together?');
    expect((await audit('draft.needs-info', draftId))).toHaveLength(1);
    expect((await audit('draft.approve', draftId))).toHaveLength(1);
  });

  it('assign to me and the mine/unassigned filters', async () => {
    const { caseId, draftId } = await seedCase(web);
    const row = `/cases/${caseId}?draft=${draftId}"`;
    expect((await con.get('/queue?filter=unassigned')).body).toContain(row);
    await con.post(`/cases/${caseId}/assign`, {});
    expect((await em().findOneOrFail(Case, { id: caseId })).assignee).toBe('con@casedesk.test');
    expect((await con.get('/queue?filter=mine')).body).toContain(row);
    expect((await con.get('/queue?filter=unassigned')).body).not.toContain(row);
    expect((await audit('case.assign')).some((a) => a.caseId === caseId)).toBe(true);
  });

  it('internal note: stored, shown in the thread, never sent', async () => {
    const { caseId } = await seedCase(web);
    await con.post(`/cases/${caseId}/notes`, { text: 'Called the clinic <b>about</b> it.' });
    const notes = await em().find(CaseNote, { caseId });
    expect(notes.map((n) => n.text)).toEqual(['Called the clinic <b>about</b> it.']);
    const page = await con.get(`/cases/${caseId}`);
    expect(page.body).toContain('Called the clinic &lt;b&gt;about&lt;/b&gt; it.');
    expect(await em().count(Outbox, { caseId })).toBe(0);
  });

  it('code lookup page: search, lookup, plain-language description, NCCI form', async () => {
    expect((await con.get('/codes?q=97530')).statusCode).toBe(200);
    expect((await con.get('/codes/ncci?a=97530&b=97140')).body).toContain('No NCCI release is loaded');
    await con.post('/codes/describe', { code: '97530', text: 'Therapeutic activities, one-on-one, each 15 minutes.' });
    expect((await em().findOneOrFail(CodeDescription, { code: '97530' })).text).toBe('Therapeutic activities, one-on-one, each 15 minutes.');
    expect((await audit('code.describe')).length).toBe(1);
  });

  it('admin pages: add a subscriber and a user; removing a user ends their sessions', async () => {
    const boss = new Browser(web.app);
    await boss.login('boss@casedesk.test');
    await boss.post('/admin/subscribers', { pattern: '@clinic.test', plan: 'pro' });
    expect((await em().findOneOrFail(Subscriber, { pattern: '@clinic.test' })).plan).toBe('pro');
    await boss.post('/admin/users', { email: 'new@casedesk.test', role: 'consultant', password: 'a long enough password' });
    expect((await em().findOneOrFail(User, { email: 'new@casedesk.test' })).passwordHash).toMatch(/^scrypt\$/);
    const fresh = new Browser(web.app);
    await fresh.login('new@casedesk.test', 'a long enough password');
    expect((await fresh.get('/queue')).statusCode).toBe(200);
    await boss.post('/admin/users/remove', { email: 'new@casedesk.test' });
    expect((await fresh.get('/queue')).statusCode).toBe(303);
    expect((await boss.get('/admin/audit')).body).toContain('user.remove');
  });

  it('sessions expire, and logout ends one', async () => {
    const b = new Browser(web.app);
    await b.login('con@casedesk.test');
    expect((await b.get('/queue')).statusCode).toBe(200);
    const sid = decodeURIComponent(b.cookies.get('casedesk_sid')!).split('.')[0];
    await em().nativeUpdate(WebSession, { id: sid }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await b.get('/queue')).statusCode).toBe(303);
    const c = new Browser(web.app);
    await c.login('con@casedesk.test');
    const out = await c.post('/logout', {});
    expect(out.headers.location).toBe('/login');
    expect((await c.get('/queue')).statusCode).toBe(303);
  });

  it('the JSON API works with a session and its CSRF header', async () => {
    const { draftId } = await seedCase(web);
    const me = JSON.parse((await con.request({ method: 'GET', url: '/api/me', headers: { accept: 'application/json' } })).body) as { csrfToken: string };
    const res = await con.request({ method: 'POST', url: `/api/drafts/${draftId}/reject`, payload: { reason: 'api' }, headers: { accept: 'application/json', 'x-csrf-token': me.csrfToken } });
    expect(res.statusCode).toBe(200);
    expect((await em().findOneOrFail(Draft, { id: draftId })).decidedBy).toBe('con@casedesk.test');
  });
});
