import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createReplyRenderer } from '../drafts/render.ts';
import { AppError } from '../shared/errors.ts';
import { logSafeError, safeErrorSummary } from '../shared/log-safe-error.ts';
import { httpStatusFor, isUnavailable, type WebContext, type WebDeps } from './context.ts';
import { registerAdminRoutes } from './pages/admin-routes.ts';
import { registerAnswerAdminRoutes } from './pages/answers-admin-routes.ts';
import { registerAuthRoutes } from './pages/auth-routes.ts';
import { registerAttachmentRoutes } from './pages/attachment-routes.ts';
import { registerCaseRoutes } from './pages/case-routes.ts';
import { registerCodeRoutes } from './pages/code-routes.ts';
import { registerCorrectionRoutes } from './pages/correction-routes.ts';
import { registerImpactRoutes } from './pages/impact-routes.ts';
import { registerQueueRoutes } from './pages/queue-routes.ts';
import { registerMetrics } from './metrics.ts';
import { registerReviewApi } from './review-api.ts';
import { registerSecurity, securityHeaders } from './security.ts';
import { createPageRenderer, type PageRenderer } from './views.ts';

/** Build (not start) the HTTP server: the review pages, the JSON API, health and metrics. */
export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'web' }) as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: deps.trustProxy ?? false,
  }) as unknown as FastifyInstance;
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  const render = createPageRenderer();
  const ctx: WebContext = { deps, render, renderer: deps.renderer ?? createReplyRenderer(), signatureName: deps.signatureName ?? 'CaseDesk', plans: deps.plans ?? {} };

  registerErrorPages(app, render);
  app.addHook('onSend', async (request, reply) => securityHeaders(request, reply));
  // Fail fast while Redis is down: before the session is read, every route but /healthz and the static files.
  app.addHook('onRequest', async (request, reply) => {
    if (!deps.available || deps.available()) return;
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path.startsWith('/static/') || path === '/favicon.ico') return;
    return sendError(request, reply, render, 503, UNAVAILABLE);
  });

  const sessions = await registerSecurity(app, { orm: deps.orm, log: deps.log, session: deps.session ?? {}, rateLimit: deps.rateLimit, metricsToken: deps.metricsToken });
  const pruner = setInterval(() => void sessions.prune().catch((err: unknown) => app.log.warn({ err: logSafeError(err) }, 'session prune failed')), 15 * 60_000);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
  await app.register(fastifyFormbody);
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('../../public/', import.meta.url)), prefix: '/static/', index: false, maxAge: '1h' });

  registerHealth(app, deps);
  // Browsers ask for /favicon.ico on every page whatever the page links: send them to the icon.
  app.get('/favicon.ico', { config: { public: true } }, async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').redirect('/static/favicon.svg', 301));
  await registerAuthRoutes(app, ctx, sessions);
  await registerQueueRoutes(app, ctx);
  await registerCaseRoutes(app, ctx);
  await registerAttachmentRoutes(app, ctx);
  await registerCodeRoutes(app, ctx);
  await registerCorrectionRoutes(app, ctx);
  await registerImpactRoutes(app, ctx);
  await registerAdminRoutes(app, ctx, sessions);
  await registerAnswerAdminRoutes(app, ctx);
  await registerMetrics(app, ctx);
  await registerReviewApi(app, deps);
  return app;
}

const UNAVAILABLE = 'Service unavailable: the database or Redis is not answering. Try again in a moment.';

/** Whether the client gets JSON (the API, scripts, fetch) rather than an HTML page (a browser). */
function wantsJsonError(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html');
}

/** An error as JSON `{ "error": … }` for API clients, as the error page for a browser. */
function sendError(request: FastifyRequest, reply: FastifyReply, render: PageRenderer, status: number, message: string) {
  if (wantsJsonError(request)) return reply.status(status).type('application/json; charset=utf-8').send({ error: message });
  return reply.status(status).type('text/html; charset=utf-8').send(render('error', { title: `Error ${status}`, user: null, csrf: '', flash: null, nav: 'error', status, message }));
}

/** Domain errors → status (context.ts), as JSON for the API and scripts, as a page for a browser. */
function registerErrorPages(app: FastifyInstance, render: PageRenderer): void {
  app.setErrorHandler((err, request, reply) => {
    const status = httpStatusFor(err);
    // Name, code and stack frames only: a database error's message can quote the SQL parameters (message text).
    if (status >= 500) request.log.error({ err: logSafeError(err), route: request.routeOptions.url ?? null }, 'request failed');
    const message = isUnavailable(err) ? UNAVAILABLE : status >= 500 && !(err instanceof AppError) ? 'internal error' : (err as Error).message;
    if (status === 429 && (err as { ttl?: number }).ttl) void reply.header('retry-after', String(Math.ceil(((err as { ttl: number }).ttl) / 1000)));
    return sendError(request, reply, render, status, message);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, render, 404, wantsJsonError(request) ? 'not found' : 'There is no page here.'));
}

/** The database, Redis with the queue depths, and what `deps.health` adds (IMAP). */
async function healthChecks(deps: WebDeps): Promise<{ ok: boolean; checks: Record<string, unknown> }> {
  const checks: Record<string, unknown> = {};
  let ok = true;
  try {
    await deps.orm.em.fork().getConnection().execute('select 1');
    checks.database = 'ok';
  } catch (err) {
    ok = false;
    checks.database = `error: ${(err as Error).message}`;
  }
  try {
    checks.queues = await deps.queues.depths();
    checks.redis = 'ok';
  } catch (err) {
    ok = false;
    checks.redis = `error: ${(err as Error).message}`;
  }
  if (deps.health) Object.assign(checks, await deps.health());
  return { ok, checks };
}

/**
 * `/healthz` (public) answers only `{"status":"ok"}` (200) or `{"status":"degraded"}` (503): no
 * error text for strangers. The details are at `/admin/health`, for admins.
 */
function registerHealth(app: FastifyInstance, deps: WebDeps): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    const { ok } = await healthChecks(deps);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded' });
  });
  app.get('/admin/health', async (_request, reply) => {
    const { ok, checks } = await healthChecks(deps);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...checks });
  });
}
