import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Config } from '../config/index.ts';
import type { ReplyRenderer } from '../src/drafts/render.ts';
import { CodeCache } from '../src/codes/code-cache.ts';
import { createUnresolvedCodes } from '../src/review/unresolved-codes.ts';
import type { Orm } from '../src/shared/db.ts';
import type { Logger } from '../src/shared/logger.ts';
import { makeMessageId } from '../src/shared/message-id.ts';
import type { Queues } from '../src/shared/queues.ts';
import type { Redis } from '../src/shared/redis.ts';
import { buildWebServer } from '../src/web/server.ts';

export interface WebParts {
  orm: Orm;
  queues: Queues;
  redis: Redis;
  log: Logger;
  renderer: ReplyRenderer;
  /** The process's code cache (the service shares one with its draft worker); else one of the web server's own. */
  codeCache?: CodeCache;
  /** Health of parts outside the web process (IMAP connection, …). */
  health?: () => Promise<Record<string, unknown>>;
  /** Called for every route as it is registered (tests enumerate the routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * The web server of the `web` role, built (not started) from configuration: the one builder
 * both `casedesk web` and the web tests use, so the tests exercise the production wiring.
 */
export async function buildWebApp(config: Config, parts: WebParts): Promise<FastifyInstance> {
  const { env } = config;
  const redisUp = await trackReady(parts.redis);
  const https = (env.PUBLIC_URL ?? '').startsWith('https:');
  const tagKey = config.messageIdKeys()[0];
  const codeCache = parts.codeCache ?? new CodeCache({ pairIndex: true, log: parts.log });
  return buildWebServer({
    orm: parts.orm,
    codeCache,
    queues: parts.queues,
    log: parts.log,
    approve: {
      makeMessageId: (key, caseId) => makeMessageId(key, config.messageIdDomain, caseId, tagKey),
      textToHtml: (text) => parts.renderer.renderConsultantReply(text).html,
      unresolvedCodes: createUnresolvedCodes(parts.orm, codeCache),
    },
    metricsToken: env.METRICS_TOKEN,
    session: { secret: env.SESSION_SECRET, production: env.NODE_ENV === 'production', secureCookie: env.NODE_ENV === 'production' || https, behindTls: https },
    renderer: parts.renderer,
    signatureName: env.MAIL_FROM_NAME,
    plans: env.PLANS,
    outbox: { from: { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM }, decideAfterMs: config.sentCopyTo ? env.UNKNOWN_RESEND_MINUTES * 60_000 : 0 },
    rateLimit: { redis: parts.redis, prefix: env.QUEUE_PREFIX },
    // The server speaks plain HTTP: an https PUBLIC_URL means a TLS proxy in front (trust private-network proxies only).
    trustProxy: https ? 'loopback, linklocal, uniquelocal' : false,
    health: parts.health,
    available: redisUp,
    onRoute: parts.onRoute,
  });
}

/**
 * Whether Redis is up, from the connection's own events: down from a `close` until the next
 * `ready`. Waits up to 5 s for a connection still being made, so the first requests do not fail.
 */
async function trackReady(redis: Redis): Promise<() => boolean> {
  const state = { up: redis.status === 'ready' };
  redis.on('ready', () => (state.up = true));
  redis.on('close', () => (state.up = false));
  if (!state.up && (redis.status === 'connecting' || redis.status === 'connect')) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return () => state.up;
}
