import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { parseConfig } from '../../../config/index.ts';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';
import { addUser } from '../../../src/review/users.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { hashMessageId } from '../../../src/shared/message-id.ts';
import { createQueues, type Queues } from '../../../src/shared/queues.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { buildWebApp } from '../../../workers/web.ts';
import { createTestDatabase, type TestDatabase, type TestDriver, dataKeyEnv } from '../../support/db.ts';
import { createQueuePrefix, TEST_REDIS_URL } from '../../support/redis.ts';

export const PASSWORD = 'correct horse battery';
/** The scraper token the test web app accepts on /metrics. */
export const METRICS_TOKEN = 'scraper-token-0123456789';

export interface WebApp {
  app: FastifyInstance;
  db: TestDatabase;
  queues: Queues;
  /** Every route Fastify registered (method + url), collected with the onRoute hook. */
  routes: { method: string; url: string }[];
  close(): Promise<void>;
}

/**
 * The web server alone (no workers), on a fresh database and queue prefix, built by the same
 * builder as `casedesk web` (workers/web.ts) from a configuration like an operator's.
 */
export async function buildTestWebApp(driver: TestDriver = 'sqlite'): Promise<WebApp> {
  const db = await createTestDatabase(driver);
  const prefix = createQueuePrefix();
  const config = parseConfig({
    DATABASE_URL: db.db.driver === 'sqlite' ? db.db.path : db.db.url,
    ...dataKeyEnv(db.db),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix.prefix,
    MAIL_FROM: 'answers@casedesk.test',
    METRICS_TOKEN,
  });
  const redis = createRedis(config.env.REDIS_URL);
  const queues = createQueues(redis, config.env.QUEUE_PREFIX);
  const routes: { method: string; url: string }[] = [];
  const app = await buildWebApp(config, {
    orm: db.orm, queues, redis, log: silentLogger, renderer: createReplyRenderer(),
    onRoute: (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    },
  });
  await app.ready();
  return {
    app, db, queues, routes,
    close: async () => {
      await app.close();
      await queues.close();
      redis.disconnect();
      await db.drop();
      await prefix.cleanup();
    },
  };
}

/** A user of the review page (scrypt-hashed password PASSWORD). */
export async function createUser(web: WebApp, email: string, role: 'consultant' | 'admin' = 'consultant'): Promise<void> {
  await addUser(web.db.orm.em.fork(), { email, role, password: PASSWORD, actor: 'test' });
}

/** Cookies kept between requests, like a browser (name=value only). */
export class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance, private readonly remoteAddress = '127.0.0.1') {}

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.inject({ remoteAddress: this.remoteAddress, ...options, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...options.headers } });
    for (const c of res.cookies) {
      if (c.expires && new Date(c.expires).getTime() <= Date.now()) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  get(url: string) {
    return this.request({ method: 'GET', url });
  }

  /** The CSRF token of the forms on a page. */
  async csrf(url = '/queue'): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (!m) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`);
    return m[1];
  }

  /** Post a form with the page's CSRF token (or none, to test the refusal). */
  async post(url: string, form: Record<string, string>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === undefined ? await this.csrf() : options.csrf;
    const body = new URLSearchParams({ ...form, ...(token ? { _csrf: token } : {}) }).toString();
    return this.request({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const token = await this.csrf('/login');
    return this.post('/login', { email, password }, { csrf: token });
  }
}

/** A case with one inbound question (HTML with a script and an onerror image) and a pending draft. */
export async function seedCase(web: WebApp, options: { bodyText?: string; codes?: Record<string, string[]>; evidence?: Record<string, unknown> } = {}) {
  const em = web.db.orm.em.fork();
  const caseRow = em.create(Case, { subject: 'Can 97530 be billed with 97140?', requesterEmail: 'pat@clinic.test', requesterName: 'Pat Coder', dueAt: new Date(Date.now() + 3_600_000) });
  await em.flush();
  const messageId = `<q-${randomUUID()}@clinic.test>`;
  const text = 'Can 97530 and 97140 be billed together? Dx M54.50.';
  const message = em.create(CaseMessage, {
    caseId: caseRow.id, direction: 'in', messageId, messageIdHash: hashMessageId(messageId), fromAddress: 'pat@clinic.test', fromName: 'Pat Coder',
    subject: caseRow.subject, textNew: text, textFull: text, wantsDraft: true,
    html: '<p>Can <b>97530</b> and 97140 be billed together?</p><script>window.__pwned = 1</script><img src="https://tracker.example/p.gif" onerror="window.__pwned = 2"><a href="https://example.com/x">see</a>',
  });
  await em.flush();
  const draft = em.create(Draft, {
    caseId: caseRow.id, caseMessageId: message.id, kind: 'answer', subject: `Re: ${caseRow.subject} [CD-${caseRow.id}]`,
    bodyText: options.bodyText ?? 'Hello Pat,\n\n97530 and 97140: see the NCCI edit.\n\nCaseDesk\n', bodyHtml: '<p>Hello Pat,</p>',
    codes: options.codes ?? { cpt: ['97530', '97140'], icd10cm: ['M54.50'] },
    evidence: options.evidence ?? { codes: [{ input: '97530', code: '97530', systemLabel: 'CPT', status: 'valid', statusLabel: 'valid', descriptor: 'CPT descriptor not licensed', problems: [] }], pairs: [], mue: [], modifiers: [], versions: [], unresolved: [], hits: [] },
    dueAt: caseRow.dueAt,
  });
  await em.flush();
  return { caseId: caseRow.id, messageId: message.id, draftId: draft.id };
}
