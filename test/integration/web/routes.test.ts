import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DRIVERS } from '../../support/db.ts';
import { buildTestWebApp, Browser, createUser, METRICS_TOKEN, type WebApp } from './web-app.ts';

/** Routes that answer without a session, and why. Everything else must refuse. */
const PUBLIC = new Set(['GET /login', 'POST /login', 'GET /healthz', 'GET /favicon.ico']);
/** Files of public/ (CSS and the keyboard/countdown script): no data in them. */
const isStaticAsset = (url: string) => url.startsWith('/static/');

const sample = (url: string) => url.replace(/\*$/, 'x').replace(/:id\b/g, '1').replace(/:[A-Za-z_]+/g, 'x');

describe.each(TEST_DRIVERS)('auth on every route on %s', (driver) => {
  let web: WebApp;
  beforeAll(async () => {
    web = await buildTestWebApp(driver);
  });
  afterAll(async () => web?.close());

  it('registers the pages, the actions, the JSON API, bull-board and metrics', () => {
    const keys = new Set(web.routes.map((r) => `${r.method} ${r.url}`));
    for (const k of ['GET /queue', 'GET /cases/:id', 'POST /drafts/:id/approve', 'POST /drafts/:id/save', 'POST /drafts/:id/reject', 'POST /drafts/:id/needs-info',
      'POST /cases/:id/assign', 'POST /cases/:id/notes', 'GET /codes', 'GET /codes/ncci', 'POST /codes/describe', 'GET /admin/users', 'GET /admin/audit',
      'GET /admin/subscribers', 'GET /admin/releases', 'GET /metrics', 'GET /api/drafts', 'POST /api/drafts/:id/approve', 'GET /admin/queues']) {
      expect(keys, k).toContain(k);
    }
    expect(web.routes.length).toBeGreaterThan(30);
  });

  it('answers no route but login and health without a session (sweep over every registered route)', async () => {
    const offenders: string[] = [];
    for (const route of web.routes) {
      const key = `${route.method} ${route.url}`;
      if (PUBLIC.has(key) || isStaticAsset(route.url)) continue;
      for (const accept of ['text/html', 'application/json']) {
        const res = await web.app.inject({ method: route.method as 'GET', url: sample(route.url), headers: { accept }, payload: route.method === 'GET' ? undefined : {} });
        const toLogin = (res.statusCode === 303 || res.statusCode === 302) && String(res.headers.location).startsWith('/login');
        if (!(res.statusCode === 401 || toLogin)) offenders.push(`${key} (${accept}) → ${res.statusCode}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('serves login and health without a session', async () => {
    expect((await web.app.inject({ method: 'GET', url: '/login' })).statusCode).toBe(200);
    const health = await web.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('refuses a forged session cookie', async () => {
    const res = await web.app.inject({ method: 'GET', url: '/queue', headers: { cookie: 'casedesk_sid=abc.def' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('keeps admin pages, bull-board and metrics from consultants', async () => {
    await createUser(web, 'con@casedesk.test');
    await createUser(web, 'boss@casedesk.test', 'admin');
    const con = new Browser(web.app);
    expect((await con.login('con@casedesk.test')).statusCode).toBe(303);
    expect((await con.get('/queue')).statusCode).toBe(200);
    for (const url of ['/admin/users', '/admin/subscribers', '/admin/releases', '/admin/audit', '/admin/queues', '/metrics', '/%61dmin/users', '/admin/users?x=1', '/metrics?x']) {
      expect([403, 404], url).toContain((await con.get(url)).statusCode);
    }
    const admin = new Browser(web.app);
    await admin.login('boss@casedesk.test');
    for (const url of ['/admin/users', '/admin/subscribers', '/admin/releases', '/admin/audit', '/admin/queues']) {
      expect((await admin.get(url)).statusCode, url).toBe(200);
    }
    // bull-board's own UI posts without our CSRF token: its unsafe methods need a same-origin request.
    const crossSite = await admin.request({ method: 'PUT', url: '/admin/queues/api/queues/pause', headers: { accept: 'application/json', 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    const nullOrigin = await admin.request({ method: 'PUT', url: '/admin/queues/api/queues/pause', headers: { accept: 'application/json', origin: 'null' } });
    expect(nullOrigin.statusCode).toBe(403);
    const noOrigin = await admin.request({ method: 'PUT', url: '/admin/queues/api/queues/pause', headers: { accept: 'application/json' } });
    expect(noOrigin.statusCode).toBe(403);
    const sameOrigin = await admin.request({ method: 'PUT', url: '/admin/queues/api/queues/pause', headers: { accept: 'application/json', 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.statusCode).toBe(200);
    for (const q of Object.values(web.queues.queues)) await q.resume();
    const metrics = await admin.get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('casedesk_drafts_pending');
  });

  it('lets a scraper read /metrics with the bearer token, and nothing else with it', async () => {
    const ok = await web.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('casedesk_drafts_pending');
    const wrong = await web.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}x`, accept: 'application/json' } });
    expect([401, 303]).toContain(wrong.statusCode);
    const elsewhere = await web.app.inject({ url: '/admin/users', headers: { authorization: `Bearer ${METRICS_TOKEN}`, accept: 'application/json' } });
    expect([401, 303]).toContain(elsewhere.statusCode);
  });
});
