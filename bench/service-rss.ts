/**
 * The memory step of `npm run bench:codes`: the real `casedesk start` (bin/casedesk.js, a child
 * process) on a database that holds every code set, answering as a consultant's day asks it to:
 * questions mailed to its mailbox are drafted (lookups, NCCI pairs, MUE limits), then the code
 * pages are used over HTTP (lookups, keyword searches, NCCI pair checks). Peak RSS is read from
 * the child's /proc/<pid>/status (VmHWM) before it is stopped.
 *
 * Needs Dovecot (scripts/services.sh start), Redis and, for PostgreSQL, the local server.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { DatabaseConfig } from '../config/index.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import type { Orm } from '../src/db/orm.ts';
import { addUser } from '../src/review/users.ts';
import { addSubscriber } from '../src/subscribers/subscribers.ts';
import { rawMessage } from '../test/support/casedesk.ts';
import { appendMessage, createTestMailbox, deleteMailbox, testImapEnv } from '../test/support/imap.ts';
import { deleteQueuePrefix, TEST_REDIS_URL, uniqueQueuePrefix } from '../test/support/redis.ts';
import { startSmtpReceiver } from '../test/support/smtp-receiver.ts';

const QUESTIONS = [
  ['Can 97140 be billed with 97530 on the same day?', 'DOS 05/12/2026. Therapist wants to bill 97140 and 97530 together with modifier 59. Dx M54.50.'],
  ['Units for 97110', 'We billed 97110 x8 on 04/20/2026, is that over the MUE? Dx S52.501A.'],
  ['Is M54.5 still billable?', 'For a visit on 03/02/2026 the provider wrote M54.5. Is that specific enough?'],
  ['L3908 with RT', 'DOS 06/01/2026: L3908-RT and 29125 same day, any NCCI edit?'],
  ['E11.9 and J1885', 'Patient with E11.9 got J1885 x4 and 20610 on 04/14/2026. Any bundling with 20610 and 76942?'],
];
const PAGES = [
  '/codes?q=M54.5', '/codes?q=low+back+pain', '/codes?q=wrist+hand+orthosis', '/codes?q=S52.501A', '/codes?q=diabetes+type+2',
  '/codes?q=97110', '/codes?q=L3908', '/codes?q=0016070', '/codes?q=fracture+of+radius', '/codes?q=glucose+test+strips',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Cookies kept between requests, as a browser would. */
class Session {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.base}${path}`, { ...init, redirect: 'manual', headers: { accept: 'text/html', ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res.text();
  }

  async login(email: string, password: string): Promise<void> {
    const page = await this.request('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    await this.request('/login', { method: 'POST', body: new URLSearchParams({ email, password, _csrf: csrf }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

async function waitForDrafts(orm: Orm, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await orm.em.fork().count(Draft, {});
    if (count >= n) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return count;
}

export interface ServiceRss {
  peakMb: number;
  rssMb: number;
  drafts: number;
  pages: number;
  startMs: number;
  /** What the service's 'NCCI pair index built' log line said (rows, MB, ms), or null when it did not say it. */
  pairIndex: { rows: number; mb: number; ms: number } | null;
}

/** Waits (at most `ms`) for the service's 'NCCI pair index built' log line. */
async function pairIndexBuilt(log: () => string, ms: number): Promise<ServiceRss['pairIndex']> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = log().split('\n').find((l) => l.includes('"NCCI pair index built"'));
    if (line) {
      const { rows, mb, ms: took } = JSON.parse(line) as { rows: number; mb: number; ms: number };
      return { rows, mb, ms: took };
    }
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Start `casedesk start` on `db`, mail it `drafts` questions, use the code pages, and read its peak RSS. */
export async function measureServiceRss(orm: Orm, db: DatabaseConfig, drafts = 20, pages = PAGES): Promise<ServiceRss> {
  const mailbox = await createTestMailbox('bench-rss');
  const prefix = uniqueQueuePrefix();
  const port = await freePort();
  const password = 'bench-password-1';
  await addSubscriber(orm.em.fork(), '@clinic.test', 'pro', { pro: 1000 });
  await addUser(orm.em.fork(), { email: 'consultant@casedesk.test', role: 'consultant', password, actor: 'bench' }).catch(() => undefined);
  // `casedesk start` checks every connection at start, SMTP included: a local receiver answers.
  const smtp = await startSmtpReceiver();
  const env = {
    ...process.env, ...testImapEnv(mailbox), SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), DATABASE_URL: db.driver === 'postgresql' ? db.url : db.path, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix,
    IMAP_POLL_SECONDS: '1', HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', MAIL_FROM: 'answers@casedesk.test', PLANS: 'pro:1000',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef', NODE_ENV: 'development',
  };
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/casedesk.js', 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // The log goes to stderr (ids and counts only): kept to find the pair index's line, and its end for a failed start.
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  const stderr = () => log.slice(-4000);
  const session = new Session(`http://127.0.0.1:${port}`);
  try {
    await waitForServer(session, child, stderr);
    const startMs = Date.now() - started;
    for (let i = 0; i < drafts; i += 1) {
      const [subject, body] = QUESTIONS[i % QUESTIONS.length];
      await appendMessage(mailbox, rawMessage({ From: `coder${i}@clinic.test`, To: 'answers@casedesk.test', Subject: `${subject} (${i})`, 'Message-ID': `<rss-${i}-${prefix}@clinic.test>` }, body));
    }
    const done = await waitForDrafts(orm, drafts, 600_000);
    await session.login('consultant@casedesk.test', password);
    for (const page of pages) await session.request(page);
    for (const [a, b] of [['97140', '97530'], ['29125', '29105'], ['20610', '76942'], ['10021', '10040'], ['99213', 'G0283']]) await session.request(`/codes/ncci?a=${a}&b=${b}`);
    // The peak counts only once the service holds its NCCI pair index (built in the background at start).
    const pairIndex = await pairIndexBuilt(() => log, 60_000);
    return { peakMb: statusKb(child.pid!, 'VmHWM') / 1024, rssMb: statusKb(child.pid!, 'VmRSS') / 1024, drafts: done, pages: pages.length + 5, startMs, pairIndex };
  } finally {
    // A child that already exited (it failed to start) fired 'exit' before this line.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await deleteMailbox(mailbox);
    await deleteQueuePrefix(prefix);
    await smtp.close();
  }
}

async function waitForServer(session: Session, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`casedesk start exited (${child.exitCode}): ${stderr()}`);
    try {
      await session.request('/login');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`casedesk start did not answer within 180 s: ${stderr()}`);
}
