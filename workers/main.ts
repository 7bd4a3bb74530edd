import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { createIntakePolicy } from '../src/cases/intake.ts';
import { keyringOf, openDatabase, type Orm } from '../src/db/orm.ts';
import { createComposer } from '../src/drafts/compose.ts';
import { createReplyRenderer, type ReplyRenderer } from '../src/drafts/render.ts';
import { startIngest, type IngestHandle } from '../src/ingest/mailbox-ingest.ts';
import { readBounce } from '../src/mail/bounce.ts';
import { classifyMessage } from '../src/mail/classify.ts';
import { extractNewText } from '../src/mail/new-text.ts';
import { ParsePool, parseLimitsFromEnv } from '../src/mail/safe-parse.ts';
import { createSmtpSender, type SmtpSender } from '../src/send/smtp.ts';
import { ConfigError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { makeMessageId } from '../src/shared/message-id.ts';
import { createQueues, type Queues } from '../src/shared/queues.ts';
import { createRedis, type Redis } from '../src/shared/redis.ts';
import type { Role } from '../src/shared/roles.ts';
import { startDraftWorker } from './draft.worker.ts';
import { startParseWorker } from './parse.worker.ts';
import { startSendWorker } from './send.worker.ts';
import { startDailyPurge } from './retention.ts';
import { sweepUnfinished } from './sweep.ts';
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
}

/** What every role of one process shares: opened once here, closed once by `stop`. */
interface Base {
  config: Config;
  log: Logger;
  orm: Orm;
  redis: Redis;
  queues: Queues;
  parsePool: ParsePool;
  renderer: ReplyRenderer;
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
  const orm = await openDatabase(config.database, { onKeyWarning: (warning) => { process.stderr.write(`!!! ${warning} !!!\n`); options.log.warn(warning); } });
  const redis: Redis = createRedis(config.env.REDIS_URL);
  const parsePool = new ParsePool();
  const base: Base = { config, log: options.log, orm, redis, parsePool, queues: createQueues(redis, config.env.QUEUE_PREFIX), renderer: createReplyRenderer() };
  try {
    return await startRoles(base, options);
  } catch (err) {
    // Start-up failed half way: close what was opened so the process can exit with the error.
    redis.disconnect();
    await parsePool.close();
    await orm.close(true);
    throw err;
  }
}

async function startRoles(base: Base, options: StartOptions): Promise<RunningCaseDesk> {
  const { roles } = options;
  const { workers, smtp } = startQueueWorkers(base, roles);
  if (workers.length > 0) {
    const swept = await sweepUnfinished(base.orm.em.fork(), base.queues);
    if (swept.parse + swept.draft + swept.send > 0) base.log.info(swept, 'start-up sweep queued unfinished work');
  }
  const env = base.config.env;
  // Queue workers also apply the retention policy daily; the keyring picks up new data keys.
  const stopPurge = workers.length > 0 ? startDailyPurge({ orm: base.orm, log: base.log, policy: { rawDays: env.RETAIN_RAW_DAYS, caseDays: env.RETAIN_CASE_DAYS } }) : () => {};
  const stopRefresh = keyringOf(base.orm)?.startAutoRefresh(60_000) ?? (() => {});
  const ingest = roles.includes('ingest') ? startMailboxIngest(base) : null;
  let web: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.includes('web')) {
    const health = async () => (ingest ? { imap: ingest.isConnected() ? 'connected' : 'disconnected', ingestLeader: ingest.isLeader() } : {});
    web = await buildWebApp(base.config, { ...base, health });
    url = await web.listen({ port: options.httpPort ?? base.config.env.HTTP_PORT, host: options.httpHost ?? base.config.env.HTTP_HOST });
  }
  base.log.info({ roles, url }, 'casedesk started');
  const stop = stopper(base, { web, ingest, workers, smtp, timers: [stopPurge, stopRefresh] });
  return { orm: base.orm, queues: base.queues, ingest, web, url, stop };
}

/** The parse, draft and send workers this process runs (and the SMTP sender, when it sends). */
function startQueueWorkers(base: Base, roles: Role[]): { workers: Worker[]; smtp: SmtpSender | null } {
  const { config, renderer } = base;
  const env = config.env;
  const ctx: WorkerContext = { orm: base.orm, connection: base.redis, prefix: env.QUEUE_PREFIX, log: base.log, concurrency: env.WORKER_CONCURRENCY, lockMs: env.JOB_LOCK_SECONDS * 1000 };
  const workers: Worker[] = [];
  if (roles.includes('parse')) workers.push(startParseWorker(ctx, parseDeps(base), base.queues));
  if (roles.includes('draft')) workers.push(startDraftWorker(ctx, createComposer({ renderer, signatureName: env.MAIL_FROM_NAME })));
  if (!roles.includes('send')) return { workers, smtp: null };
  const smtp = createSmtpSender({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE, user: env.SMTP_USER, password: env.SMTP_PASSWORD, rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED });
  const from = { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM };
  workers.push(startSendWorker(ctx, { send: smtp.send, from, stuckAfterMs: env.SEND_STUCK_AFTER_SECONDS * 1000 }));
  return { workers, smtp };
}

/** The parse stage's parts: the parser threads, the classifier, the bounce reader and the intake policy. */
function parseDeps(base: Base): Parameters<typeof startParseWorker>[1] {
  const { config, renderer } = base;
  const env = config.env;
  const limits = parseLimitsFromEnv(env);
  const classifyContext = { ownDomains: [config.messageIdDomain], ownAddresses: [env.MAIL_FROM] };
  return {
    parse: (raw) => base.parsePool.parse(raw, limits),
    classify: (msg) => classifyMessage(msg, classifyContext),
    readBounce,
    newText: extractNewText,
    ownDomain: config.messageIdDomain,
    dueHours: env.REPLY_DUE_HOURS,
    makeMessageId: (key, caseId) => makeMessageId(key, config.messageIdDomain, caseId),
    intake: createIntakePolicy({ renderer, plans: env.PLANS, replyPromise: env.REPLY_PROMISE, signatureName: env.MAIL_FROM_NAME, contact: env.SUBSCRIPTION_CONTACT ?? null }),
  };
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
function stopper(base: Base, running: { web: FastifyInstance | null; ingest: IngestHandle | null; workers: Worker[]; smtp: SmtpSender | null; timers: (() => void)[] }): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () =>
    (stopping ??= (async () => {
      base.log.info('stopping');
      for (const stopTimer of running.timers) stopTimer();
      await running.web?.close();
      await running.ingest?.stop();
      await Promise.all(running.workers.map((w) => w.close()));
      await base.queues.close();
      running.smtp?.close();
      await base.parsePool.close();
      base.redis.disconnect();
      await base.orm.close(true);
      base.log.info('stopped');
    })());
}
