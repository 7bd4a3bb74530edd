/**
 * Pipeline benchmark: N questions (default 1,000) appended over IMAP to a fresh mailbox, through
 * ingest → parse → draft on the real servers (Dovecot, Redis, SQLite or PostgreSQL). Prints
 * throughput and intake→draft latency p50/p95/p99, and in the same run the same hops with no
 * business logic (IMAP fetch → BullMQ → mailparser → BullMQ) as the ceiling, and the ratio.
 *
 *   npm run bench                    # 1,000 messages on SQLite
 *   npm run bench -- --n 300 --db postgres
 *
 * Needs the test services: `bash scripts/services.sh start`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { parseConfig } from '../config/index.ts';
import { CaseMessage } from '../src/cases/case.entity.ts';
import { openDatabase } from '../src/db/orm.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import { createLogger, silentLogger } from '../src/shared/logger.ts';
import { createRedis } from '../src/shared/redis.ts';
import { addSubscriber } from '../src/subscribers/subscribers.ts';
import { startCaseDesk } from '../workers/main.ts';
import { rawMessage } from '../test/support/casedesk.ts';
import { createTestMailbox, deleteMailbox, testImapConfig, testImapEnv } from '../test/support/imap.ts';
import { deleteQueuePrefix, TEST_REDIS_URL, uniqueQueuePrefix } from '../test/support/redis.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' }, db: { type: 'string', default: 'sqlite' }, concurrency: { type: 'string', default: '8' } } });
const N = Number(values.n);
const PG_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const CODES = ['99213', '99214', '97110', '97140', '97530', 'J1885', 'L3908', 'G0283', 'M54.50', 'S52.501A', 'E11.9', 'Z23'];
function question(i: number, domain: string): { id: string; raw: string } {
  const id = `<bench-${i}-${randomUUID()}@${domain}>`;
  const a = CODES[i % CODES.length];
  const b = CODES[(i * 7 + 3) % CODES.length];
  const body = `Hello,\n\nCan ${a} be billed with ${b}-59 for DOS 01/${String((i % 28) + 1).padStart(2, '0')}/2025? We billed 97110 x${(i % 4) + 1}.\n\n> On Mon, someone wrote:\n> earlier question about 99999\n\nThanks,\nCoder ${i}\n-- \nClinic billing, phone 555-201-${String(i % 10000).padStart(4, '0')}`;
  return { id, raw: rawMessage({ From: `coder${i % 50}@${domain}`, To: 'answers@casedesk.test', Subject: `Billing question ${i}: ${a} and ${b}`, 'Message-ID': id }, body) };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function appendAll(mailbox: string, messages: { id: string; raw: string }[]): Promise<Map<string, number>> {
  const appended = new Map<string, number>();
  const client = new ImapFlow(testImapConfig());
  await client.connect();
  try {
    for (const m of messages) {
      await client.append(mailbox, m.raw);
      appended.set(m.id.toLowerCase(), Date.now());
    }
  } finally {
    await client.logout();
  }
  return appended;
}

interface Figures {
  /** How long appending the N messages took (appends compete with the pipeline for the CPU). */
  appendSeconds: number;
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
}

function figures(appended: Map<string, number>, done: Map<string, number>, started: number): Figures {
  const missing = [...done.keys()].filter((id) => !appended.has(id));
  if (missing.length > 0) throw new Error(`${missing.length} finished messages were never appended (id mismatch)`);
  const lat = [...done.entries()].map(([id, t]) => t - appended.get(id)!).sort((a, b) => a - b);
  const end = Math.max(...done.values());
  const seconds = (end - started) / 1000;
  const appendSeconds = (Math.max(...appended.values()) - started) / 1000;
  return { appendSeconds, seconds, throughput: done.size / seconds, p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) };
}

/**
 * `live`: CaseDesk runs while the messages are appended (intake→draft latency under a burst).
 * `drain`: the mailbox is filled first, then CaseDesk starts (capacity: messages/s to drain it).
 */
async function runCaseDesk(mode: 'live' | 'drain', encrypted = true): Promise<Figures> {
  let dbUrl: string;
  let dropDb: () => Promise<void>;
  if (values.db === 'postgres' || values.db === 'postgresql') {
    const name = `cd_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    dbUrl = url.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'cd-bench-'));
    dbUrl = join(dir, 'bench.sqlite');
    dropDb = async () => rmSync(dir, { recursive: true, force: true });
  }
  const mailbox = await createTestMailbox('bench');
  const prefix = uniqueQueuePrefix();
  const config = parseConfig({
    ...testImapEnv(mailbox), DATABASE_URL: dbUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, MAIL_FROM: 'answers@casedesk.test',
    IMAP_POLL_SECONDS: '1', LOG_LEVEL: 'silent', WORKER_CONCURRENCY: values.concurrency!, PLANS: `bench:${N * 10}`,
    // Encryption on: a fresh master key, as production runs; off: development without a key.
    ...(encrypted ? { DATA_KEY: randomBytes(32).toString('base64') } : {}),
  });
  if (!encrypted) config.database.dataKey = { ...config.database.dataKey!, quiet: true };
  const setup = await openDatabase(config.database);
  await addSubscriber(setup.em.fork(), '@bench.test', 'bench', config.env.PLANS);
  await setup.close(true);

  // BENCH_LOG=warn shows retries and failures (ids only) on stderr.
  const log = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG }) : silentLogger;
  const messages = Array.from({ length: N }, (_, i) => question(i, 'bench.test'));
  let started = Date.now();
  let app = mode === 'live' ? await startCaseDesk(config, { roles: ['ingest', 'parse', 'draft'], log }) : null;
  started = Date.now();
  const appended = await appendAll(mailbox, messages);
  if (!app) {
    started = Date.now();
    app = await startCaseDesk(config, { roles: ['ingest', 'parse', 'draft'], log });
  }
  const done = new Map<string, number>();
  const deadline = Date.now() + Math.max(120_000, N * 500);
  while (done.size < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const em = app.orm.em.fork();
    const drafts = await em.find(Draft, {}, { fields: ['caseMessageId', 'createdAt'] });
    const ids = new Map((await em.find(CaseMessage, { id: { $in: drafts.map((d) => d.caseMessageId) } }, { fields: ['id', 'messageId'] })).map((c) => [c.id, c.messageId.toLowerCase()]));
    for (const d of drafts) done.set(ids.get(d.caseMessageId)!, new Date(d.createdAt).getTime());
  }
  await app.stop();
  await deleteMailbox(mailbox);
  await deleteQueuePrefix(prefix);
  await dropDb();
  if (done.size < N) throw new Error(`only ${done.size} of ${N} messages drafted before the deadline`);
  return figures(appended, done, started);
}

/** The same hops with no business logic: IMAP fetch → BullMQ → mailparser → BullMQ → done. */
async function runCeiling(): Promise<Figures> {
  const mailbox = await createTestMailbox('ceiling');
  const prefix = uniqueQueuePrefix();
  const redis = createRedis(TEST_REDIS_URL);
  const parseQ = new Queue('parse', { connection: redis, prefix });
  const draftQ = new Queue('draft', { connection: redis, prefix });
  const raws = new Map<number, Buffer>();
  const done = new Map<string, number>();
  const concurrency = Number(values.concurrency);
  const parseW = new Worker('parse', async (job) => {
    const parsed = await simpleParser(raws.get(job.data.uid as number)!);
    await draftQ.add('draft', { id: parsed.messageId }, { jobId: `d-${job.data.uid}`, removeOnComplete: true });
  }, { connection: redis, prefix, concurrency });
  const draftW = new Worker('draft', async (job) => {
    done.set(String(job.data.id).toLowerCase(), Date.now());
  }, { connection: redis, prefix, concurrency });

  const client = new ImapFlow({ ...testImapConfig(), disableAutoIdle: true });
  await client.connect();
  await client.mailboxOpen(mailbox);
  let last = 0;
  let busy = false;
  const sync = async () => {
    if (busy) return;
    busy = true;
    try {
      const uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter((u) => u > last);
      for (let i = 0; i < uids.length; i += 25) {
        const batch = uids.slice(i, i + 25);
        for (const msg of await client.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true })) {
          raws.set(msg.uid, msg.source!);
          await parseQ.add('parse', { uid: msg.uid }, { jobId: `p-${msg.uid}`, removeOnComplete: true });
        }
        last = batch[batch.length - 1];
      }
    } finally {
      busy = false;
    }
  };
  const poll = setInterval(() => void sync(), 250);
  const messages = Array.from({ length: N }, (_, i) => question(i, 'bench.test'));
  const started = Date.now();
  const appended = await appendAll(mailbox, messages);
  const deadline = Date.now() + Math.max(120_000, N * 500);
  while (done.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  clearInterval(poll);
  await client.logout();
  await parseW.close();
  await draftW.close();
  await parseQ.close();
  await draftQ.close();
  redis.disconnect();
  await deleteMailbox(mailbox);
  await deleteQueuePrefix(prefix);
  if (done.size < N) throw new Error(`ceiling: only ${done.size} of ${N} messages done before the deadline`);
  return figures(appended, done, started);
}

const line = (name: string, f: Figures, latency = true) =>
  `${name.padEnd(44)} ${f.throughput.toFixed(1).padStart(8)} msg/s   ${latency ? `p50 ${String(f.p50).padStart(6)} ms   p95 ${String(f.p95).padStart(6)} ms   p99 ${String(f.p99).padStart(6)} ms   ` : ''}(${f.seconds.toFixed(1)} s${latency ? `; appends took ${f.appendSeconds.toFixed(1)} s` : ''})`;

const ceiling = await runCeiling();
const full = await runCaseDesk('live');
// Encryption at rest off and on, same run, same messages: the drain (capacity) is the fair
// comparison. Order off, on, on, off, so a drift of the machine's load falls on both equally.
const drains = { off: [] as Figures[], on: [] as Figures[] };
for (const encrypted of [false, true, true, false]) drains[encrypted ? 'on' : 'off'].push(await runCaseDesk('drain', encrypted));
/** Two drains as one: all messages over all seconds. */
const pooled = (runs: Figures[]): Figures => ({ ...runs[0], seconds: runs.reduce((a, r) => a + r.seconds, 0), throughput: (2 * N) / runs.reduce((a, r) => a + r.seconds, 0) });
const drainOff = pooled(drains.off);
const drain = pooled(drains.on);
process.stdout.write(`pipeline benchmark: ${N} messages appended over IMAP, database ${values.db}, worker concurrency ${values.concurrency}\n`);
process.stdout.write(`${line('ceiling (mailparser + BullMQ only)', ceiling)}\n`);
process.stdout.write(`${line('CaseDesk ingest → parse → draft, live', full)}\n`);
process.stdout.write(`${line('CaseDesk draining, encryption off (2 runs)', drainOff, false)}\n`);
process.stdout.write(`${line('CaseDesk draining, encryption on (2 runs)', drain, false)}\n`);
process.stdout.write(`ratio (CaseDesk / ceiling throughput, live): ${(full.throughput / ceiling.throughput).toFixed(2)}\n`);
process.stdout.write(`encryption on / off, intake→draft throughput (drain): ${(drain.throughput / drainOff.throughput).toFixed(2)} (target ≥ 0.90)\n`);
process.exit(0);
