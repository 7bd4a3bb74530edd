import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/index.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';
import { addUser } from '../../../src/review/users.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createQueues, type Queues } from '../../../src/shared/queues.ts';
import { createRequestRedis, type Redis } from '../../../src/shared/redis.ts';
import { buildWebApp } from '../../../workers/web.ts';
import { openDatabase, type Orm } from '../../../src/db/orm.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { waitFor } from '../../support/imap.ts';
import { freePort } from '../../support/ports.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { ACCOUNT_LOGIN_LIMIT } from '../../../src/web/pages/auth-routes.ts';
import { buildTestWebApp, Browser, createUser, METRICS_TOKEN, PASSWORD, seedCase, type WebApp } from './web-app.ts';


describe('web hardening', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await buildTestWebApp('sqlite');
    await createUser(web, 'con@casedesk.test');
    await createUser(web, 'boss@casedesk.test', 'admin');
    await createUser(web, 'lee@casedesk.test');
  });
  afterAll(async () => web?.close());

  it('/healthz answers only ok or degraded; the details are behind admin login', { timeout: 30_000 }, async () => {
    const health = await web.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.body).toBe('{"status":"ok"}');
    const anonymous = await web.app.inject({ method: 'GET', url: '/admin/health' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    const con = new Browser(web.app);
    await con.login('con@casedesk.test');
    expect((await con.get('/admin/health')).statusCode).toBe(403);
    const boss = new Browser(web.app);
    await boss.login('boss@casedesk.test');
    expect((await boss.get('/admin/health')).json()).toMatchObject({ status: 'ok', database: 'ok', redis: 'ok' });
  });

  it('limits logins per account across addresses; a browser gets an HTML page, an API client JSON', { timeout: 60_000 }, async () => {
    const post = (ip: string, email: string) => new Browser(web.app, ip).login(email, 'wrong password!');
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.max; i++) expect((await post(`10.1.0.${i + 1}`, 'lee@casedesk.test')).statusCode).toBe(401);
    const page = await new Browser(web.app, '10.1.1.1').login('LEE@casedesk.test', PASSWORD);
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Too many login attempts for this account');
    const api = new Browser(web.app, '10.1.1.2');
    const token = await api.csrf('/login');
    const json = await api.request({ method: 'POST', url: '/login', payload: new URLSearchParams({ email: 'lee@casedesk.test', password: PASSWORD, _csrf: token }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
    expect(json.statusCode).toBe(429);
    expect(json.json()).toEqual({ error: expect.stringContaining('Too many login attempts for this account') });
    // Another account is not locked out by it.
    expect((await new Browser(web.app, '10.1.1.3').login('boss@casedesk.test')).statusCode).toBe(303);
  });

  it('limits logins per address: the browser gets the error page', { timeout: 60_000 }, async () => {
    const b = new Browser(web.app, '10.2.0.1');
    const statuses: number[] = [];
    let last = null;
    for (let i = 0; i < 12; i++) {
      last = await b.login(`nobody${i}@casedesk.test`, 'wrong password!');
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(last!.statusCode).toBe(429);
    expect(last!.headers['content-type']).toMatch(/^text\/html/);
    expect(last!.body).toMatch(/<h1>[^<]*429|Rate limit exceeded/);
  });

  it('a favicon; bull-board with a way back and a CSP that lets its font stylesheet load', { timeout: 30_000 }, async () => {
    const icon = await web.app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(icon.statusCode).toBe(301);
    expect(icon.headers.location).toBe('/static/favicon.svg');
    const svg = await web.app.inject({ method: 'GET', url: '/static/favicon.svg' });
    expect([svg.statusCode, svg.headers['content-type']]).toEqual([200, expect.stringMatching(/^image\/svg\+xml/)]);
    const boss = new Browser(web.app);
    await boss.login('boss@casedesk.test');
    expect((await boss.get('/queue')).body).toContain('<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">');
    const board = await boss.get('/admin/queues');
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('Back to CaseDesk');
    const csp = String(board.headers['content-security-policy']);
    expect(csp).toMatch(/style-src [^;]*https:\/\/fonts\.googleapis\.com/);
    expect(csp).toMatch(/font-src [^;]*https:\/\/fonts\.gstatic\.com/);
    expect(String((await boss.get('/queue')).headers['content-security-policy'])).not.toContain('googleapis');
  });

  it('casedesk_sends_total never decreases (a sent reply that bounces still counts)', async () => {
    const { caseId } = await seedCase(web);
    const em = web.db.orm.em.fork();
    const row = em.create(Outbox, { dedupeKey: `t:${caseId}`, kind: 'answer', caseId, messageId: `<t-${caseId}@casedesk.test>`, toAddress: 'pat@clinic.test', subject: 's', text: 't', state: 'sent', sentAt: new Date() });
    await em.flush();
    const scrape = async () => Number(/^casedesk_sends_total (\d+)/m.exec((await web.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body)?.[1]);
    const before = await scrape();
    expect(before).toBeGreaterThanOrEqual(1);
    row.state = 'bounced';
    await em.flush();
    expect(await scrape()).toBe(before);
  });
});

describe('while Redis is down, every route answers 503 at once', () => {
  let redisProcess: ChildProcess | null = null;
  let port: number;
  let db: TestDatabase;
  let redis: Redis;
  let queues: Queues;
  let app: FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  const startRedis = async () => {
    redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(() => new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    }), { timeoutMs: 10_000, what: 'redis-server listening' });
  };
  const stopRedis = async () => {
    const p = redisProcess!;
    p.kill('SIGKILL');
    if (p.exitCode === null) await new Promise((r) => p.once('exit', r));
    redisProcess = null;
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    db = await createTestDatabase('sqlite');
    const config = parseConfig({ DATABASE_URL: db.db.driver === 'sqlite' ? db.db.path : db.db.url, REDIS_URL: `redis://127.0.0.1:${port}`, QUEUE_PREFIX: 'cd-down', MAIL_FROM: 'answers@casedesk.test' });
    redis = createRequestRedis(config.env.REDIS_URL);
    queues = createQueues(redis, config.env.QUEUE_PREFIX);
    app = await buildWebApp(config, {
      orm: db.orm, queues, redis, log: silentLogger, renderer: createReplyRenderer(),
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
      },
    });
    await app.ready();
    await addUser(db.orm.em.fork(), { email: 'boss@casedesk.test', role: 'admin', password: PASSWORD, actor: 'test' });
  });
  afterAll(async () => {
    await app?.close();
    await queues?.close().catch(() => undefined);
    redis?.disconnect();
    await db?.drop();
    if (redisProcess) await stopRedis();
  });

  it('each route gives 503 within 2 s, and works again when Redis is back', { timeout: 120_000 }, async () => {
    const boss = new Browser(app);
    expect((await boss.login('boss@casedesk.test')).statusCode).toBe(303);
    expect((await boss.get('/queue')).statusCode).toBe(200);
    await stopRedis();
    await waitFor(() => redis.status !== 'ready', { timeoutMs: 5_000, what: 'the connection to notice' });
    const slowOrWrong: string[] = [];
    const sample = (url: string) => url.replace(/\*$/, 'x').replace(/:id\b/g, '1').replace(/:[A-Za-z_]+/g, 'x');
    // Static files and the favicon redirect need neither Redis nor the database: they keep answering.
    for (const route of routes.filter((r) => !r.url.startsWith('/static/') && r.url !== '/favicon.ico')) {
      for (const accept of ['text/html', 'application/json']) {
        const request = boss.request({ method: route.method as 'GET', url: sample(route.url), headers: { accept }, payload: route.method === 'GET' ? undefined : {} });
        const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000).unref());
        const res = await Promise.race([request, timeout]);
        if (!res || res.statusCode !== 503) slowOrWrong.push(`${route.method} ${route.url} (${accept}) → ${res ? res.statusCode : 'no answer in 2 s'}`);
        else if (accept === 'application/json' && route.url !== '/healthz') expect(res.json()).toEqual({ error: expect.stringContaining('Service unavailable') });
      }
    }
    expect(slowOrWrong).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
    await startRedis();
    await waitFor(async () => (await boss.get('/queue')).statusCode === 200, { timeoutMs: 20_000, what: 'the page back with Redis' });
  });
});

describe('while PostgreSQL is down, every route answers 503 at once', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let orm: Orm;
  let redis: Redis;
  let queues: Queues;
  let app: FastifyInstance;
  const routes: { method: string; url: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    const direct = new URL((db.db as { url: string }).url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    orm = await openDatabase({ ...db.db, driver: 'postgresql', url: viaProxy.toString() });
    const config = parseConfig({ DATABASE_URL: viaProxy.toString(), REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: `cd-pgdown-${process.pid}`, MAIL_FROM: 'answers@casedesk.test' });
    redis = createRequestRedis(config.env.REDIS_URL);
    queues = createQueues(redis, config.env.QUEUE_PREFIX);
    app = await buildWebApp(config, {
      orm, queues, redis, log: silentLogger, renderer: createReplyRenderer(),
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
      },
    });
    await app.ready();
    await addUser(orm.em.fork(), { email: 'boss@casedesk.test', role: 'admin', password: PASSWORD, actor: 'test' });
  });
  afterAll(async () => {
    await app?.close();
    await queues?.close().catch(() => undefined);
    redis?.disconnect();
    await proxy?.restore().catch(() => undefined);
    await orm?.close(true).catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  it('the pages and the API give 503 (not 500, not a hang) within 2 s, and work again when the database is back', { timeout: 120_000 }, async () => {
    const boss = new Browser(app);
    expect((await boss.login('boss@casedesk.test')).statusCode).toBe(303);
    expect((await boss.get('/queue')).statusCode).toBe(200);
    await proxy.cut();
    const slowOrWrong: string[] = [];
    for (const url of ['/queue', '/api/drafts', '/api/me', '/admin/outbox', '/codes?q=M54.5', '/healthz']) {
      for (const accept of ['text/html', 'application/json']) {
        const request = boss.request({ method: 'GET', url, headers: { accept } });
        const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000).unref());
        const res = await Promise.race([request, timeout]);
        if (!res || res.statusCode !== 503) slowOrWrong.push(`GET ${url} (${accept}) → ${res ? res.statusCode : 'no answer in 2 s'}`);
        else if (accept === 'application/json' && url !== '/healthz') expect(res.json()).toEqual({ error: expect.stringContaining('Service unavailable') });
      }
    }
    expect(slowOrWrong).toEqual([]);
    await proxy.restore();
    await waitFor(async () => (await boss.get('/queue')).statusCode === 200, { timeoutMs: 20_000, what: 'the page back with the database' });
  });
});

