import { timingSafeEqual } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findActiveUser, type UserView } from '../review/users.ts';
import { ConfigError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Orm } from '../shared/db.ts';
import type { Redis } from '../shared/redis.ts';
import { createDatabaseSessionStore, SESSION_TTL_MS } from './session-store.ts';

declare module 'fastify' {
  interface Session {
    userId?: number;
    flash?: { kind: 'ok' | 'error'; text: string };
  }
  interface FastifyRequest {
    user: UserView | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (`/login`, `/healthz`). Everything else needs one. */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'casedesk_sid';

export interface SessionOptions {
  /** SESSION_SECRET (at least 32 characters). */
  secret?: string;
  /** NODE_ENV=production: a missing secret is a ConfigError, cookies are `Secure`. */
  production?: boolean;
  /** Force the cookie's `Secure` flag (default: production, or a PUBLIC_URL on https). */
  secureCookie?: boolean;
  /** PUBLIC_URL is https (a TLS proxy in front). */
  behindTls?: boolean;
}

/**
 * The session secret: SESSION_SECRET, else (development and tests only) a random secret for this
 * process, with a warning: sessions then do not survive a restart nor work across processes.
 * Never a fixed fallback. In production a missing secret refuses to start the web role.
 */
export function resolveSessionSecret(options: SessionOptions, log: Logger): string {
  if (options.secret) return options.secret;
  if (options.production) throw new ConfigError(['SESSION_SECRET: required to run the web role in production (32+ random characters)']);
  log.warn('SESSION_SECRET is not set: using a random secret for this process (sessions end on restart)');
  return randomBytes(32).toString('base64url');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** bull-board's own UI calls its API with fetch and no CSRF token: same-origin check instead. */
const BULL_BOARD = '/admin/queues';

/** Public by the matched route (never by the raw URL): `public` routes and public/'s files. */
function isPublic(request: FastifyRequest): boolean {
  return request.routeOptions.config?.public === true || (request.routeOptions.url ?? '').startsWith('/static/');
}

function wantsJson(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? request.url;
  return route.startsWith('/api/') || route.startsWith(`${BULL_BOARD}/api/`) || !SAFE_METHODS.has(request.method);
}

function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site) return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !URL.canParse(origin)) return false; // includes Origin: null
  return new URL(origin).host === request.headers.host;
}

/**
 * Sessions (database store, signed `HttpOnly; SameSite=Lax` cookie, `Secure` in production,
 * rolling 8-hour expiry), CSRF tokens bound to the session (every form and unsafe method),
 * login required on every route not marked `public`, admin pages for admins only, and a rate
 * limiter for routes that opt in (login).
 */
export async function registerSecurity(app: FastifyInstance, deps: { orm: Orm; log: Logger; session: SessionOptions; rateLimit?: { redis: Redis; prefix: string }; metricsToken?: string }): Promise<ReturnType<typeof createDatabaseSessionStore>> {
  const secret = resolveSessionSecret(deps.session, deps.log);
  const secure = deps.session.secureCookie ?? deps.session.production ?? false;
  if (secure && deps.session.production && !deps.session.behindTls) {
    deps.log.warn('session cookies are Secure: serve the web page over https (a TLS proxy, PUBLIC_URL=https://…) or logins will not stick');
  }
  const store = createDatabaseSessionStore(deps.orm);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret,
    cookieName: SESSION_COOKIE,
    store,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: SESSION_TTL_MS },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: (req) => csrfTokenOf(req) });
  await app.register(fastifyRateLimit, { global: false, ...(deps.rateLimit ? { redis: deps.rateLimit.redis, nameSpace: `${deps.rateLimit.prefix}:login-limit:` } : {}) });

  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    // A Prometheus scraper cannot log in: with METRICS_TOKEN set, /metrics also takes that bearer token.
    if (deps.metricsToken && request.url.split('?')[0] === '/metrics' && bearerMatches(request.headers.authorization, deps.metricsToken)) return;
    const userId = request.session.userId;
    request.user = typeof userId === 'number' ? await findActiveUser(deps.orm.em.fork(), userId) : null;
    if (!request.user) return denyAnonymous(request, reply);
    // By the matched route pattern (a percent-encoded path still routes to it) and by the raw path.
    const adminOnly = [request.routeOptions.url ?? '', request.url.split('?')[0]].some((p) => p === '/admin' || p.startsWith('/admin/') || p === '/metrics');
    if (adminOnly && request.user.role !== 'admin') return reply.status(403).type('text/plain').send('admins only');
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method)) return done();
    if ((request.routeOptions.url ?? '').startsWith(BULL_BOARD)) {
      if (sameOrigin(request)) return done();
      void reply.status(403).send({ error: 'cross-site request refused' });
      return;
    }
    app.csrfProtection(request, reply, done);
  });
  return store;
}

function csrfTokenOf(req: FastifyRequest): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body._csrf === 'string') return body._csrf;
  const header = req.headers['x-csrf-token'] ?? req.headers['csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

async function denyAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (wantsJson(request)) {
    await reply.status(401).send({ error: 'login required' });
    return;
  }
  const next = request.url.startsWith('/') && !request.url.startsWith('//') ? request.url : '/queue';
  await reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/** A strict Content-Security-Policy: no inline script, no remote anything; bull-board's UI needs inline styles, its Google font stylesheet and its own <base>. */
export function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const bullBoard = request.url.startsWith(BULL_BOARD);
  // An attachment response brings its own, stricter policy (src/attachments/serving-policy.ts): `sandbox` and no active content.
  if (!reply.hasHeader('content-security-policy')) reply.header(
    'content-security-policy',
    [
      // bull-board's page links its font stylesheet from Google Fonts: allowed there only.
      "default-src 'none'", "script-src 'self'", `style-src 'self'${bullBoard ? " 'unsafe-inline' https://fonts.googleapis.com" : ''}`, "img-src 'self' data:", `font-src 'self'${bullBoard ? ' https://fonts.gstatic.com' : ''}`,
      "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", `base-uri ${bullBoard ? "'self'" : "'none'"}`, "object-src 'none'",
    ].join('; '),
  );
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (!request.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
}

/** Constant-time check of an `Authorization: Bearer <token>` header. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
