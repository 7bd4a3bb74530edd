import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { parseClamavUrl } from '../src/attachments/clamav-url.ts';
import { scanWithClamd } from '../src/attachments/clamd-client.ts';
import { attachmentLimitsFromEnv } from '../src/attachments/limits.ts';
import { TextExtractor } from '../src/attachments/text-extractor.ts';
import { createIntakePolicy } from '../src/cases/intake.ts';
import { CodeCache } from '../src/codes/code-cache.ts';
import { keyringOf, openDatabase, type Orm } from '../src/db/orm.ts';
import { createComposer } from '../src/drafts/compose.ts';
import { createReplyRenderer, type ReplyRenderer } from '../src/drafts/render.ts';
import { startIngest, type IngestHandle } from '../src/ingest/mailbox-ingest.ts';
import { authenticateSender, cachingResolver, systemResolver, type DNSResolver } from '../src/mail/auth/index.ts';
import { readBounce } from '../src/mail/bounce.ts';
import { classifyMessage } from '../src/mail/classify.ts';
import { extractNewText } from '../src/mail/new-text.ts';
import { ParsePool, parseLimitsFromEnv } from '../src/mail/safe-parse.ts';
import { confirmSentByCopy } from '../src/send/send-stage.ts';
import { createSmtpSender, type SmtpSender } from '../src/send/smtp.ts';
import { ConfigError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { makeMessageId } from '../src/shared/message-id.ts';
import { createQueues, type Queues } from '../src/shared/queues.ts';
import { createRedis, createRequestRedis, type Redis } from '../src/shared/redis.ts';
import type { Role } from '../src/shared/roles.ts';
import { startDraftWorker } from './draft.worker.ts';
import { startRescanTimer, startScanWorker } from './scan.worker.ts';
import { startParseWorker } from './parse.worker.ts';
import { startSendWorker } from './send.worker.ts';
import { preflight } from './preflight.ts';
import { settleLostSends, sweepUnfinishedRetrying } from './sweep.ts';
import { logSafeError } from '../src/shared/log-safe-error.ts';
import { startDailyPurge } from './retention.ts';
import { buildWebApp } from './web.ts';
import type { WorkerContext } from './worker-factory.ts';

export interface RunningCaseDesk {
  orm: Orm;
  queues: Queues;
  ingest: IngestHandle | null;
  web: FastifyInstance | null;
  /** Address the web server listens on, when it runs. */
  url: string | null;
  /** Drain workers, stop ingest and the web server, close connections. */
  stop(): Promise<void>;
}

export interface StartOptions {
  roles: Role[];
  log: Logger;
  httpPort?: number;
  httpHost?: string;
  /** Create the SQLite file's directory when it does not exist (`casedesk start`). */
  createDatabase?: boolean;
  /** Check Redis, IMAP (ingest) and SMTP (send) first; a failure is one ConnectionError line. */
  preflight?: boolean;
  /** DNS for the sender check (DKIM keys, DMARC records); the system's resolver unless given (tests answer from a table). */
  dnsResolver?: DNSResolver;
}

/** What every role of one process shares: opened once here, closed once by `stop`. */
interface Base {
  config: Config;
  log: Logger;
  orm: Orm;
  redis: Redis;
  queues: Queues;
  parsePool: ParsePool;
  textExtractor: TextExtractor;
  renderer: ReplyRenderer;
  dnsResolver: DNSResolver;
  /** The process's code cache, shared by the draft composer and the web pages (one NCCI pair index). */
  codeCache: CodeCache;
}

interface Stoppable {
  stop(): void;
}

/** Refuse to start a role whose settings are missing, naming every missing key. */
function checkRoleConfig(config: Config, roles: Role[]): void {
  const missing: string[] = [];
  if (roles.includes('ingest')) {
    if (!config.env.IMAP_USER) missing.push('IMAP_USER: required to run ingest');
    if (!config.env.IMAP_PASSWORD) missing.push('IMAP_PASSWORD: required to run ingest');
  }
  if (roles.includes('web') && config.env.NODE_ENV === 'production' && !config.env.SESSION_SECRET) missing.push('SESSION_SECRET: required to run the web role in production (32+ random characters)');
  if (missing.length > 0) throw new ConfigError(missing);
}

/**
 * Wire and start the chosen roles in this process: `casedesk start` runs them all; `ingest`,
 * `worker --queues …` and `web` run subsets. Everything is created here, explicitly; nothing
 * starts on import.
 */
export async function startCaseDesk(config: Config, options: StartOptions): Promise<RunningCaseDesk> {
  checkRoleConfig(config, options.roles);
  const orm = await openDatabase(config.database, {
    create: options.createDatabase,
    onKeyWarning: (warning) => { process.stderr.write(`!!! ${warning} !!!\n`); options.log.warn(warning); },
  });
  if (options.preflight) {
    try {
      await preflight(config, options.roles, (why) => process.stderr.write(`casedesk: ${why}; trying again for up to ${config.env.STARTUP_WAIT_SECONDS} s (STARTUP_WAIT_SECONDS)\n`));
    } catch (err) {
      await orm.close(true);
      throw err;
    }
  }
  const redis: Redis = createRedis(config.env.REDIS_URL);
  const parsePool = new ParsePool();
  const textExtractor = new TextExtractor();
  const base: Base = { config, log: options.log, orm, redis, parsePool, textExtractor, queues: createQueues(redis, config.env.QUEUE_PREFIX), renderer: createReplyRenderer(), dnsResolver: options.dnsResolver ?? cachingResolver(systemResolver), codeCache: new CodeCache({ pairIndex: true, log: options.log }) };
  try {
    return await startRoles(base, options);
  } catch (err) {
    // Start-up failed half way: close what was opened so the process can exit with the error.
    redis.disconnect();
    await parsePool.close();
    await textExtractor.close();
    await orm.close(true);
    throw err;
  }
}

async function startRoles(base: Base, options: StartOptions): Promise<RunningCaseDesk> {
  const { roles } = options;
  const { workers, smtp, timers } = startQueueWorkers(base, roles);
  if (workers.length > 0) {
    const swept = await sweepUnfinishedRetrying(() => base.orm.em.fork(), base.queues, base.log);
    if (swept.parse + swept.scan + swept.draft + swept.send > 0) base.log.info(swept, 'start-up sweep queued unfinished work');
  }
  const lostSends = smtp ? watchLostSends(base) : null;
  const env = base.config.env;
  // Queue workers also apply the retention policy daily; the keyring picks up new data keys.
  const stopPurge = workers.length > 0 ? startDailyPurge({ orm: base.orm, log: base.log, policy: { rawDays: env.RETAIN_RAW_DAYS, caseDays: env.RETAIN_CASE_DAYS } }) : () => {};
  const stopRefresh = keyringOf(base.orm)?.startAutoRefresh(60_000) ?? (() => {});
  const ingest = roles.includes('ingest') ? startMailboxIngest(base) : null;
  if (roles.includes('draft') || roles.includes('web')) warmPairIndex(base);
  let web: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.includes('web')) {
    const health = async () => (ingest ? { imap: ingest.isConnected() ? 'connected' : 'disconnected', ingestLeader: ingest.isLeader() } : {});
    // Request handlers get their own Redis connection that fails fast (503) instead of queueing commands while Redis is down.
    const requestRedis = createRequestRedis(base.config.env.REDIS_URL);
    const webQueues = createQueues(requestRedis, base.config.env.QUEUE_PREFIX);
    web = await buildWebApp(base.config, { ...base, redis: requestRedis, queues: webQueues, health });
    web.addHook('onClose', async () => {
      await webQueues.close();
      requestRedis.disconnect();
    });
    url = await web.listen({ port: options.httpPort ?? base.config.env.HTTP_PORT, host: options.httpHost ?? base.config.env.HTTP_HOST });
  }
  base.log.info({ roles, url }, 'casedesk started');
  const stop = stopper(base, { web, ingest, workers, smtp, timers, lostSends, stopTimers: [stopPurge, stopRefresh] });
  return { orm: base.orm, queues: base.queues, ingest, web, url, stop };
}

/** Build the NCCI pair index in the background: drafts and code pages read pairs from the database until it is ready. */
function warmPairIndex(base: Base): void {
  base.codeCache.warmPairIndex(base.orm.em.fork()).catch((err: unknown) => base.log.warn({ err: logSafeError(err) }, 'NCCI pair index not built; pairs are read from the database'));
}

/** The parse, scan, draft and send workers this process runs (and the SMTP sender, when it sends). */
function startQueueWorkers(base: Base, roles: Role[]): { workers: Worker[]; smtp: SmtpSender | null; timers: Stoppable[] } {
  const { config, renderer } = base;
  const env = config.env;
  const ctx: WorkerContext = { orm: base.orm, connection: base.redis, prefix: env.QUEUE_PREFIX, log: base.log, concurrency: env.WORKER_CONCURRENCY, lockMs: env.JOB_LOCK_SECONDS * 1000 };
  const workers: Worker[] = [];
  const timers: Stoppable[] = [];
  if (roles.includes('parse')) workers.push(startParseWorker(ctx, parseDeps(base), base.queues));
  if (roles.includes('scan')) {
    workers.push(startScanWorker(ctx, scanDeps(base), base.queues));
    timers.push(startRescanTimer(base.orm, base.queues, env.ATTACHMENT_RESCAN_SECONDS, base.log));
  }
  if (roles.includes('draft')) workers.push(startDraftWorker(ctx, createComposer({ renderer, signatureName: env.MAIL_FROM_NAME, codeCache: base.codeCache })));
  if (!roles.includes('send')) return { workers, smtp: null, timers };
  const smtp = createSmtpSender({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE, user: env.SMTP_USER, password: env.SMTP_PASSWORD, rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED });
  const from = { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM };
  workers.push(startSendWorker(ctx, { send: smtp.send, from, stuckAfterMs: env.SEND_STUCK_AFTER_SECONDS * 1000, sentCopyTo: config.sentCopyTo }));
  return { workers, smtp, timers };
}

/** The scan stage's parts: clamd at CLAMAV_URL and the text reader threads (owned by the process's Base). */
function scanDeps(base: Base): Parameters<typeof startScanWorker>[1] {
  const env = base.config.env;
  const clamd = { address: parseClamavUrl(env.CLAMAV_URL), timeoutMs: env.CLAMAV_TIMEOUT_MS };
  const limits = attachmentLimitsFromEnv(env);
  return {
    scan: (bytes) => scanWithClamd(bytes, clamd),
    readText: (bytes, kind) => base.textExtractor.extract(bytes, kind, limits),
  };
}

/** The parse stage's parts: the parser threads, the classifier, the bounce reader and the intake policy. */
function parseDeps(base: Base): Parameters<typeof startParseWorker>[1] {
  const { config, renderer } = base;
  const env = config.env;
  const limits = parseLimitsFromEnv(env);
  const classifyContext = { ownDomains: [config.messageIdDomain], ownAddresses: [env.MAIL_FROM] };
  const tagKeys = config.messageIdKeys();
  return {
    parse: (raw) => base.parsePool.parse(raw, limits),
    classify: (msg) => classifyMessage(msg, classifyContext),
    readBounce,
    newText: extractNewText,
    ownDomain: config.messageIdDomain,
    dueHours: env.REPLY_DUE_HOURS,
    makeMessageId: (key, caseId) => makeMessageId(key, config.messageIdDomain, caseId, tagKeys[0]),
    ownCopy: (em, messageId) => confirmSentByCopy(em, { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM }, messageId, tagKeys),
    intake: createIntakePolicy({
      renderer, plans: env.PLANS, replyPromise: env.REPLY_PROMISE, signatureName: env.MAIL_FROM_NAME, contact: env.SUBSCRIPTION_CONTACT ?? null,
      limits: { domainHourly: env.NOTICE_DOMAIN_HOURLY, ackDailyMax: env.ACK_DAILY_MAX },
    }),
    senderAuth: {
      mode: env.SENDER_AUTH,
      check: (raw) => authenticateSender(raw, { authservIds: env.AUTHSERV_IDS, resolver: base.dnsResolver, mode: env.SENDER_AUTH }),
    },
  };
}

/**
 * Lost `sending` rows become `unknown`: once now (start-up) and then every half of
 * SEND_STUCK_AFTER_SECONDS (at least every 10 s), in every process that sends.
 */
function watchLostSends(base: Base): NodeJS.Timeout {
  const stuckAfterMs = base.config.env.SEND_STUCK_AFTER_SECONDS * 1000;
  const check = async () => {
    const ids = await settleLostSends(base.orm.em.fork(), (id) => base.queues.isActive('send', id), stuckAfterMs);
    if (ids.length > 0) base.log.warn({ outboxIds: ids }, 'lost sends marked unknown');
  };
  const run = () => void check().catch((err: unknown) => base.log.warn({ err: logSafeError(err) }, 'lost-send check failed'));
  run();
  const timer = setInterval(run, Math.max(10_000, stuckAfterMs / 2));
  timer.unref();
  return timer;
}

function startMailboxIngest(base: Base): IngestHandle {
  const env = base.config.env;
  return startIngest({
    orm: base.orm, enqueuer: base.queues, redis: base.redis, log: base.log, mailbox: env.IMAP_MAILBOX, lockPrefix: env.QUEUE_PREFIX,
    pollSeconds: env.IMAP_POLL_SECONDS, lockTtlMs: env.INGEST_LOCK_TTL_SECONDS * 1000,
    imap: { host: env.IMAP_HOST, port: env.IMAP_PORT, secure: env.IMAP_SECURE, user: env.IMAP_USER!, password: env.IMAP_PASSWORD!, rejectUnauthorized: env.IMAP_TLS_REJECT_UNAUTHORIZED },
  });
}

/** Stop everything once, in order: web, ingest, workers (drained), then the connections. */
function stopper(base: Base, running: { web: FastifyInstance | null; ingest: IngestHandle | null; workers: Worker[]; smtp: SmtpSender | null; timers: Stoppable[]; lostSends: NodeJS.Timeout | null; stopTimers: (() => void)[] }): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () =>
    (stopping ??= (async () => {
      base.log.info('stopping');
      if (running.lostSends) clearInterval(running.lostSends);
      for (const stopTimer of running.stopTimers) stopTimer();
      await running.web?.close();
      await running.ingest?.stop();
      for (const timer of running.timers) timer.stop();
      await Promise.all(running.workers.map((w) => w.close()));
      await base.queues.close();
      running.smtp?.close();
      await base.parsePool.close();
      await base.textExtractor.close();
      base.redis.disconnect();
      await base.orm.close(true);
      base.log.info('stopped');
    })());
}
