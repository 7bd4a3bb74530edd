import type { RouteOptions } from 'fastify';
import type { CodeCache } from '../codes/code-cache.ts';
import type { ReplyRenderer } from '../drafts/render.ts';
import type { ApproveDeps } from '../review/review.ts';
import { isConnectionFailure } from '../shared/connection-error.ts';
import type { Orm } from '../shared/db.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Queues } from '../shared/queues.ts';
import type { Redis } from '../shared/redis.ts';
import type { SessionOptions } from './security.ts';
import type { PageRenderer } from './views.ts';

/**
 * What the web server is built from (WebDeps, wired in workers/main.ts) and what its route
 * files share (WebContext). Declared apart from server.ts, which imports every route file, so
 * that the route files never import the server back.
 */
export interface WebDeps {
  orm: Orm;
  queues: Queues;
  log: Logger;
  approve: Omit<ApproveDeps, 'em'>;
  /** The code cache of the code pages (release tables, search index, NCCI pair index); else one of their own. */
  codeCache?: CodeCache;
  /** Health of parts outside the web process (IMAP connection, …). */
  health?: () => Promise<Record<string, unknown>>;
  /** Session secret and cookie flags (SESSION_SECRET, NODE_ENV, PUBLIC_URL). */
  session?: SessionOptions;
  /** Reply templates (save renders the HTML from the text; ask-for-info renders `needs-info`). */
  renderer?: ReplyRenderer;
  /** Signed as (MAIL_FROM_NAME). */
  signatureName?: string;
  /** Subscriber plans and quotas (config PLANS), for the admin pages. */
  plans?: Record<string, number>;
  /** The outbox page: our sender (a "mark sent" records the reply from it) and how long an `unknown` row waits for its copy. */
  outbox?: { from: { name: string; address: string }; decideAfterMs: number };
  /**
   * Proxies whose X-Forwarded-For/-Proto to believe (Fastify's trustProxy). Off by default: a
   * client could otherwise spoof its address past the login rate limit. Behind a TLS-terminating
   * proxy it must be on, or `Secure` session cookies are never set on the plain-HTTP hop.
   */
  trustProxy?: boolean | string;
  /**
   * Login rate-limit counters in Redis (shared by every web process) under `<prefix>:login-limit:`;
   * without it each process counts on its own, in memory.
   */
  rateLimit?: { redis: Redis; prefix: string };
  /** Bearer token a metrics scraper may use for /metrics instead of a session (METRICS_TOKEN). */
  metricsToken?: string;
  /**
   * Whether the services a request needs are up (the request Redis connection is ready): while
   * not, every route but /healthz answers 503 at once instead of hanging.
   */
  available?: () => boolean;
  /** Called for every route as it is registered (tests enumerate routes with it: the auth sweep). */
  onRoute?: (route: RouteOptions) => void;
}

/** What page routes share: the dependencies, the compiled pages and the reply renderer. */
export interface WebContext {
  deps: WebDeps;
  render: PageRenderer;
  renderer: ReplyRenderer;
  signatureName: string;
  plans: Record<string, number>;
}

/** Domain errors → HTTP status, in one place. */
export function httpStatusFor(err: unknown): number {
  if (isUnavailable(err)) return 503;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ValidationError) return 400;
  if (err instanceof ConflictError) return 409;
  if (err instanceof AppError) return 500;
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' ? status : 500;
}


/** A database or Redis that is down (connection refused, closed, offline queue off): 503, not 500. */
export function isUnavailable(err: unknown): boolean {
  if (isConnectionFailure(err)) return true;
  const e = err as { name?: string; message?: string } | null;
  return e?.name === 'MaxRetriesPerRequestError' || /Stream isn't writeable|Connection is closed|enableOfflineQueue|Knex: Timeout acquiring a connection/i.test(e?.message ?? '');
}
