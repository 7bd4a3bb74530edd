/**
 * `npm run chaos`: CaseDesk as production runs it (PostgreSQL, two `casedesk ingest`, three
 * `casedesk worker`, one `casedesk web`), under a seeded schedule of real failures (SIGKILLs,
 * a Redis restart, a Dovecot restart, a UIDVALIDITY change, a PostgreSQL connection kill) while
 * mail arrives through LMTP and a consultant approves through the JSON API. At the end every
 * message, case, approval and notice is accounted for from the database and the SMTP receiver;
 * the figures go on one line and any violation makes the exit status 1. See docs/chaos.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCases, checkCopies, checkMessages, checkOutbox, type Figures, type Violation } from './chaos/checks.ts';
import { ChaosDb } from './chaos/db.ts';
import { planFaults, runFaults, type Fault } from './chaos/faults.ts';
import { LoadDriver } from './chaos/load.ts';
import { makeSubscribers, planDeliveries, plansEnv, plansFor, SERVICE_ADDRESS, type Delivery, type Subscriber } from './chaos/mail.ts';
import { parseOptions, Rng, type ChaosOptions } from './chaos/options.ts';
import { Supervisor } from './chaos/processes.ts';
import { Reviewer } from './chaos/reviewer.ts';
import { createDatabase, dropDatabase, DovecotService, RedisService, terminateBackends } from './chaos/services.ts';
import { waitForSettle, type SettleResult } from './chaos/settle.ts';
import { setupFixtures } from './chaos/setup.ts';
import { startSmtpSink, type SmtpSink } from './chaos/smtp-sink.ts';
import { freePort, portOpen, run as runCommand, Timeline, waitFor } from './chaos/util.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function sparePort(preferred: number | undefined, fallbackStart?: number): Promise<number> {
  if (preferred) return preferred;
  for (let p = fallbackStart ?? 0; fallbackStart && p < fallbackStart + 20; p++) if (!(await portOpen(p))) return p;
  return freePort();
}

class ChaosRun {
  readonly rng: Rng;
  readonly runId: string;
  readonly runDir: string;
  readonly dbName: string;
  readonly timeline: Timeline;
  redis!: RedisService;
  dovecot!: DovecotService;
  sink!: SmtpSink;
  db!: ChaosDb;
  supervisor!: Supervisor;
  env: Record<string, string> = {};
  httpPort = 0;
  private dbCreated = false;
  private tornDown = false;

  constructor(readonly options: ChaosOptions) {
    this.rng = new Rng(options.seed);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    this.runId = `${stamp}-s${options.seed}${options.quick ? '-quick' : ''}`;
    this.runDir = join(ROOT, 'var', 'chaos', this.runId);
    this.dbName = `chaos_${this.runId.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    mkdirSync(join(this.runDir, 'procs'), { recursive: true });
    this.timeline = new Timeline(join(this.runDir, 'harness.log'));
  }

  async startServices(): Promise<void> {
    const env = process.env;
    this.redis = new RedisService(await sparePort(Number(env.CHAOS_REDIS_PORT) || undefined, 6390), join(this.runDir, 'redis'));
    await this.redis.start();
    await createDatabase(this.dbName);
    this.dbCreated = true;
    const imap = await sparePort(Number(env.CHAOS_IMAP_PORT) || undefined);
    const lmtp = await sparePort(Number(env.CHAOS_LMTP_PORT) || undefined);
    this.dovecot = new DovecotService(this.runDir, imap, lmtp, join(ROOT, 'scripts/dovecot/dovecot.conf.in'));
    await this.dovecot.start();
    // The receiver is also the MTA of the service mailbox: the BCC copies go into Dovecot over LMTP.
    this.sink = await startSmtpSink(join(this.runDir, 'smtp-received.jsonl'), {
      mailbox: SERVICE_ADDRESS, lmtpPort: lmtp, timeline: this.timeline, inMailbox: (id) => this.dovecot.hasMessageId(id),
    });
    this.httpPort = await freePort();
    const dbUrl = `postgres://postgres@127.0.0.1:5432/${this.dbName}`;
    this.db = new ChaosDb(dbUrl);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && /^(PATH|HOME|LANG|LC_\w+|TZ|TMPDIR|NODE_OPTIONS)$/.test(k))) as Record<string, string>;
    this.env = {
      ...inherited,
      NODE_ENV: 'development', LOG_LEVEL: 'info', DATABASE_URL: dbUrl, REDIS_URL: this.redis.url, QUEUE_PREFIX: 'chaos',
      IMAP_HOST: '127.0.0.1', IMAP_PORT: String(imap), IMAP_SECURE: 'false', IMAP_USER: DovecotService.USER, IMAP_PASSWORD: DovecotService.PASSWORD, IMAP_MAILBOX: 'INBOX', IMAP_POLL_SECONDS: '5',
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(this.sink.port), SMTP_SECURE: 'false',
      // As in production: the service mailbox is MAIL_FROM's own, every mail is BCC'd to it and the copy comes back.
      MAIL_FROM: SERVICE_ADDRESS, SENT_COPY: 'bcc',
      HTTP_HOST: '127.0.0.1', HTTP_PORT: String(this.httpPort), SESSION_SECRET: `chaos-session-secret-${this.runId}-0123456789abcdef`,
      PLANS: plansEnv(plansFor(this.options.questions, this.options.subscribers)), INGEST_LOCK_TTL_SECONDS: String(this.options.lockTtlSeconds), JOB_LOCK_SECONDS: '5', STARTUP_WAIT_SECONDS: '60', SEND_STUCK_AFTER_SECONDS: '30', WORKER_CONCURRENCY: '4',
    };
    this.timeline.say('services up', { redis: this.redis.port, imap, lmtp, smtp: this.sink.port, http: this.httpPort, db: this.dbName, runDir: this.runDir });
  }

  async startProcesses(): Promise<void> {
    this.supervisor = new Supervisor(ROOT, this.runDir, this.env, this.timeline);
    const sv = this.supervisor;
    sv.add('ingest-1', 'ingest', ['ingest']);
    sv.add('ingest-2', 'ingest', ['ingest']);
    for (const n of [1, 2, 3]) sv.add(`worker-${n}`, 'worker', ['worker']);
    sv.add('web', 'web', ['web']);
    // The first ingest becomes the leader; the second starts once it holds the lock (standby).
    sv.start('ingest-1');
    if (!(await sv.waitReady(['ingest-1'], 180_000))) throw new Error('ingest-1 did not start');
    for (const name of ['ingest-2', 'worker-1', 'worker-2', 'worker-3', 'web']) sv.start(name);
    if (!(await sv.waitReady([...sv.slots.keys()], 300_000))) throw new Error('processes did not all start within 5 min');
    this.timeline.say('processes ready', { leader: sv.leader()?.name ?? 'none yet' });
  }

  async execute(): Promise<number> {
    const t0 = Date.now();
    const subs = makeSubscribers(this.rng, this.options.subscribers, this.options.questions);
    const plan = planDeliveries(this.rng, this.options, subs, this.runId.replace(/[^a-z0-9]/gi, ''));
    await this.startServices();
    const account = await setupFixtures(ROOT, this.runDir, this.env, subs, this.timeline);
    await this.startProcesses();
    const tSetup = Date.now();
    const windowMs = this.options.minutes * 60_000;
    const faults = planFaults(this.rng, this.options, windowMs, this.supervisor.slots.size);
    const { driver, reviewer } = await this.load(plan, faults, windowMs, account);
    const tLoad = Date.now();
    this.supervisor.ensureAll();
    await this.supervisor.waitReady([...this.supervisor.slots.keys()], 300_000);
    await this.lateLeaderKill();
    const settle = await waitForSettle(this.db, this.dovecot, this.timeline, { deadlineMs: this.options.settleMinutes * 60_000, stallMs: 180_000, copies: () => this.sink.copies() });
    this.timeline.say('settle ended', { reason: settle.reason, ms: settle.ms, ...settle.remaining });
    reviewer.stopped = true;
    const violations: Violation[] = [];
    const figures: Figures = {};
    await checkMessages(this.db, plan, driver.records, violations, figures);
    await checkCases(this.db, subs, plan, violations, figures);
    await checkCopies(this.db, this.sink, SERVICE_ADDRESS, violations, figures);
    await checkOutbox(this.db, this.sink, reviewer.approved, await this.listedUnknown(), violations, figures);
    this.checkRuntime(faults, settle, violations, figures);
    const cursor = await this.db.rows<{ uid_validity: string }>('select uid_validity from mailbox_cursor');
    const box = await this.dovecot.status();
    if (cursor.length !== 1 || Number(cursor[0].uid_validity) !== box.uidValidity) violations.push({ kind: 'ingest cursor not on the mailbox UIDVALIDITY (no resync)', ids: `cursor:${cursor.map((c) => c.uid_validity).join('/')},mailbox:${box.uidValidity}` });
    figures.setupS = Math.round((tSetup - t0) / 1000);
    figures.loadS = Math.round((tLoad - tSetup) / 1000);
    figures.settleS = Math.round(settle.ms / 1000);
    figures.wallS = Math.round((Date.now() - t0) / 1000);
    this.report(plan, subs, faults, settle, figures, violations, reviewer);
    return violations.length === 0 ? 0 : 1;
  }

  /** The ids `casedesk outbox list --state unknown --json` shows an operator (null when the command fails). */
  private async listedUnknown(): Promise<Set<number> | null> {
    try {
      const out = await runCommand(process.execPath, [join(ROOT, 'bin/casedesk.js'), 'outbox', 'list', '--state', 'unknown', '--json', '--limit', '100000'], { env: this.env, timeoutMs: 180_000 });
      const rows = JSON.parse(out.trim().split('\n').pop() ?? '[]') as Array<{ id: number; state: string }>;
      this.timeline.say('outbox list --state unknown', { rows: rows.length });
      return new Set(rows.filter((r) => r.state === 'unknown').map((r) => r.id));
    } catch (err) {
      this.timeline.say('outbox list failed', { error: (err as Error).message.slice(0, 300) });
      return null;
    }
  }

  /** The load window: deliveries, approvals and faults at once. */
  private async load(plan: Delivery[], faults: Fault[], windowMs: number, account: { email: string; password: string }) {
    const driver = new LoadDriver(plan, {
      lmtpPort: this.dovecot.lmtpPort, timeline: this.timeline, sink: this.sink, windowMs,
      parsed: (id) => this.db.parsed(id),
      inMailbox: (n) => this.dovecot.hasDelivery(n),
    });
    const reviewer = new Reviewer(`http://127.0.0.1:${this.httpPort}`, account.email, account.password, this.timeline, new Rng(this.options.seed + 7));
    const reviewing = reviewer.run();
    let loadDone = false;
    const faulting = runFaults(faults, {
      supervisor: this.supervisor, redis: this.redis, redisDataLoss: this.options.redisDataLoss, dovecot: this.dovecot, timeline: this.timeline,
      pauseDelivery: (p) => (driver.paused = p),
      sendingNow: () => this.db.sendingNow(),
      terminateBackends: () => terminateBackends(this.dbName),
    }, () => loadDone);
    this.timeline.say('load started', { deliveries: plan.length, minutes: this.options.minutes, faults: faults.length });
    await driver.run();
    loadDone = true;
    await faulting;
    this.timeline.say('load done', { delivered: [...driver.records.values()].filter((r) => r.deliveredAt).length });
    void reviewing;
    return { driver, reviewer };
  }

  /**
   * On a slow machine the standby may not have been up at any leader kill of the window: then
   * the leader is killed once now, while the backlog is still being worked off, so the takeover
   * is always timed.
   */
  private async lateLeaderKill(): Promise<void> {
    const sv = this.supervisor;
    if (sv.takeovers.length > 0 || !sv.leader() || !sv.standbyReady()) return;
    this.timeline.say('no takeover timed during the load: killing the leader now');
    sv.kill(sv.leader()!.name, 2_000, 'leader (after the load)');
    await waitFor(() => !sv.takeoverPending(), { timeoutMs: 90_000, intervalMs: 200 });
    await sv.waitReady([...sv.slots.keys()], 300_000);
  }

  private checkRuntime(faults: Fault[], settle: SettleResult, out: Violation[], figures: Figures): void {
    const limitMs = 2 * this.options.lockTtlSeconds * 1000;
    const takeovers = this.supervisor.takeovers;
    const slow = takeovers.filter((t) => t.ms === null || t.ms > limitMs);
    if (slow.length) out.push({ kind: `standby did not take over within 2 x lock TTL (${limitMs} ms)`, ids: slow.map((t) => `${t.killedSlot}:${t.ms ?? 'never'}ms`).join(',') });
    if (takeovers.length === 0) out.push({ kind: 'no leader kill with a live standby happened (takeover not measured)', ids: 'kill-leader' });
    const failed = faults.filter((f) => f.result && 'error' in f.result);
    if (failed.length) out.push({ kind: 'fault could not be injected', ids: failed.map((f) => f.kind).join(',') });
    if (this.supervisor.crashes.length) out.push({ kind: 'process exited on its own', ids: this.supervisor.crashes.map((c) => `${c.slot}:${c.code ?? c.signal}`).join(',') });
    if (!settle.settled) out.push({ kind: `system did not settle (${settle.reason})`, ids: Object.entries(settle.remaining).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`).join(',') });
    const measured = takeovers.filter((t) => t.ms !== null).map((t) => t.ms!);
    figures.takeoverMaxMs = measured.length ? Math.max(...measured) : 'n/a';
    figures.takeovers = measured.length;
    figures.kills = faults.filter((f) => (f.kind === 'kill' || f.kind === 'kill-leader') && f.done && f.result && 'slot' in f.result).length;
  }

  private report(plan: Delivery[], subs: Subscriber[], faults: Fault[], settle: SettleResult, figures: Figures, violations: Violation[], reviewer: Reviewer): void {
    const f = figures;
    const line = `chaos seed=${this.options.seed} messages=${f.messages} parsed=${f.parsed} ignored=${f.ignored} duplicate=${f.duplicate} quarantined=${f.quarantined} ` +
      `cases=${f.cases} drafts=${f.drafts} approvals=${f.approvals} sent=${f.sent} unknown=${f.unknown} (${f.unknownPct}) confirmed-by-copy=${f.confirmedByCopy} ` +
      `copies=${f.copiesDelivered}/${f.copiesQueued} undeliverable=${f.copiesUndeliverable} notices=${f.notices} ` +
      `kills=${f.kills} takeover=${f.takeoverMaxMs}ms/${2 * this.options.lockTtlSeconds * 1000}ms wall=${f.wallS}s violations=${violations.length}`;
    writeFileSync(join(this.runDir, 'report.json'), JSON.stringify({
      runId: this.runId, options: this.options, figures, violations, settle, takeovers: this.supervisor.takeovers, faults,
      crashes: this.supervisor.crashes, logCounts: Object.fromEntries(this.supervisor.logCounts), reviewer: { logins: reviewer.logins, approved: reviewer.approved.size, errors: Object.fromEntries(reviewer.errors) },
      starts: Object.fromEntries([...this.supervisor.slots.values()].map((s) => [s.name, s.starts])), deliveries: plan.length, subscribers: subs.length,
    }, null, 2));
    for (const v of violations) {
      const ids = v.ids.split(',');
      process.stdout.write(`VIOLATION ${v.kind}: ${ids.slice(0, 30).join(',')}${ids.length > 30 ? ` (+${ids.length - 30} more)` : ''}\n`);
    }
    process.stdout.write(`details: ${join(this.runDir, 'report.json')}\n${line}\n`);
  }

  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    await this.supervisor?.stopAll().catch(() => undefined);
    await this.db?.close().catch(() => undefined);
    await this.sink?.close().catch(() => undefined);
    await this.dovecot?.stop().catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
    if (!this.options.keep) {
      if (this.dbCreated) await dropDatabase(this.dbName).catch((err: Error) => process.stderr.write(`could not drop ${this.dbName}: ${err.message}\n`));
      for (const d of ['redis', 'dovecot/mail', 'consultant.pw']) rmSync(join(this.runDir, d), { recursive: true, force: true });
    }
  }
}

const run = new ChaosRun(parseOptions(process.argv.slice(2)));
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stdout.write('chaos: interrupted, cleaning up (Ctrl-C again to leave things running)\n');
  void run.teardown().finally(() => process.exit(130));
});
let code = 1;
try {
  code = await run.execute();
} catch (err) {
  process.stderr.write(`chaos: harness error: ${(err as Error).stack ?? err}\n`);
  code = 2;
} finally {
  await run.teardown();
}
process.exit(code);
