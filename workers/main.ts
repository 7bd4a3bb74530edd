import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { openDatabase, type Orm } from '../src/db/orm.ts';
import { createComposer } from '../src/drafts/compose.ts';
import { createReplyRenderer } from '../src/drafts/render.ts';
import { startIngest, type IngestHandle } from '../src/ingest/mailbox-ingest.ts';
import { sweepUnfinished } from './sweep.ts';
import { readBounce } from '../src/mail/bounce.ts';
import { classifyMessage } from '../src/mail/classify.ts';
import { makeMessageId } from '../src/shared/message-id.ts';
import { extractNewText } from '../src/mail/new-text.ts';
import { closeParsePool, parseMessageSafely } from '../src/mail/safe-parse.ts';
import { createUnresolvedCodes } from '../src/review/unresolved-codes.ts';
import { createSmtpSender } from '../src/send/smtp.ts';
import { ConfigError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { createQueues, type Queues } from '../src/shared/queues.ts';
import { createRedis, type Redis } from '../src/shared/redis.ts';
import { createIntakePolicy } from '../src/cases/intake.ts';
import type { Role } from '../src/shared/roles.ts';
import { buildWebServer } from '../src/web/server.ts';
import { startDraftWorker } from './draft.worker.ts';
import { startParseWorker } from './parse.worker.ts';
import { startSendWorker } from './send.worker.ts';
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
export async function startCaseDesk(config: Config, options: { roles: Role[]; log: Logger; httpPort?: number; httpHost?: string }): Promise<RunningCaseDesk> {
  const { roles, log } = options;
  checkRoleConfig(config, roles);
  const env = config.env;
  const orm = await openDatabase(config.database);
  const redis: Redis = createRedis(env.REDIS_URL);
  try {
    return await startRoles(config, options, orm, redis);
  } catch (err) {
    // Start-up failed half way: close what was opened so the process can exit with the error.
    redis.disconnect();
    await closeParsePool();
    await orm.close(true);
    throw err;
  }
}

async function startRoles(
  config: Config,
  options: { roles: Role[]; log: Logger; httpPort?: number; httpHost?: string },
  orm: Orm,
  redis: Redis,
): Promise<RunningCaseDesk> {
  const { roles, log } = options;
  const env = config.env;
  const queues = createQueues(redis, env.QUEUE_PREFIX);
  const ctx: WorkerContext = { orm, connection: redis, prefix: env.QUEUE_PREFIX, log, concurrency: env.WORKER_CONCURRENCY, lockMs: env.JOB_LOCK_SECONDS * 1000 };
  const from = { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM };
  const messageId = (key: string, caseId: number) => makeMessageId(key, config.messageIdDomain, caseId);
  const renderer = createReplyRenderer();
  const workers: Worker[] = [];
  let smtp: ReturnType<typeof createSmtpSender> | null = null;

  if (roles.includes('parse')) {
    const limits = { maxBytes: env.MAX_MESSAGE_BYTES, timeoutMs: env.PARSE_TIMEOUT_MS, maxDepth: env.MAX_MIME_DEPTH, maxParts: env.MAX_MIME_PARTS };
    const classifyContext = { ownDomains: [config.messageIdDomain], ownAddresses: [env.MAIL_FROM] };
    workers.push(
      startParseWorker(ctx, {
        parse: (raw) => parseMessageSafely(raw, limits),
        classify: (msg) => classifyMessage(msg, classifyContext),
        readBounce,
        newText: extractNewText,
        ownDomain: config.messageIdDomain,
        dueHours: env.REPLY_DUE_HOURS,
        makeMessageId: messageId,
        intake: createIntakePolicy({ renderer, plans: env.PLANS, replyPromise: env.REPLY_PROMISE, signatureName: env.MAIL_FROM_NAME, contact: env.SUBSCRIPTION_CONTACT ?? null }),
      }, queues),
    );
  }
  if (roles.includes('draft')) workers.push(startDraftWorker(ctx, createComposer({ renderer, signatureName: env.MAIL_FROM_NAME })));
  if (roles.includes('send')) {
    smtp = createSmtpSender({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE, user: env.SMTP_USER, password: env.SMTP_PASSWORD, rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED });
    workers.push(startSendWorker(ctx, { send: smtp.send, from, stuckAfterMs: env.SEND_STUCK_AFTER_SECONDS * 1000 }));
  }
  if (workers.length > 0) {
    const swept = await sweepUnfinished(orm.em.fork(), queues);
    if (swept.parse + swept.draft + swept.send > 0) log.info(swept, 'start-up sweep queued unfinished work');
  }

  let ingest: IngestHandle | null = null;
  if (roles.includes('ingest')) {
    ingest = startIngest({
      orm, enqueuer: queues, redis, log, mailbox: env.IMAP_MAILBOX, lockPrefix: env.QUEUE_PREFIX, pollSeconds: env.IMAP_POLL_SECONDS,
      lockTtlMs: env.INGEST_LOCK_TTL_SECONDS * 1000,
      imap: { host: env.IMAP_HOST, port: env.IMAP_PORT, secure: env.IMAP_SECURE, user: env.IMAP_USER!, password: env.IMAP_PASSWORD!, rejectUnauthorized: env.IMAP_TLS_REJECT_UNAUTHORIZED },
    });
  }

  let web: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.includes('web')) {
    web = await buildWebServer({
      orm, queues, log,
      approve: { makeMessageId: messageId, textToHtml: (text) => renderer.renderConsultantReply(text).html, unresolvedCodes: createUnresolvedCodes(orm) },
      metricsToken: env.METRICS_TOKEN,
      session: { secret: env.SESSION_SECRET, production: env.NODE_ENV === 'production', secureCookie: env.NODE_ENV === 'production' || (env.PUBLIC_URL ?? '').startsWith('https:'), behindTls: (env.PUBLIC_URL ?? '').startsWith('https:') },
      renderer, signatureName: env.MAIL_FROM_NAME, plans: env.PLANS, rateLimit: { redis, prefix: env.QUEUE_PREFIX },
      // The server speaks plain HTTP: an https PUBLIC_URL means a TLS proxy in front (trust private-network proxies only).
      trustProxy: (env.PUBLIC_URL ?? '').startsWith('https:') ? 'loopback, linklocal, uniquelocal' : false,
      health: async () => (ingest ? { imap: ingest.isConnected() ? 'connected' : 'disconnected', ingestLeader: ingest.isLeader() } : {}),
    });
    url = await web.listen({ port: options.httpPort ?? env.HTTP_PORT, host: options.httpHost ?? env.HTTP_HOST });
  }
  log.info({ roles, url }, 'casedesk started');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping');
      await web?.close();
      await ingest?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      smtp?.close();
      await closeParsePool();
      redis.disconnect();
      await orm.close(true);
      log.info('stopped');
    })());
  return { orm, queues, ingest, web, url, stop };
}
