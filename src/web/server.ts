import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createReplyRenderer } from '../drafts/render.ts';
import { AppError } from '../shared/errors.ts';
import { logSafeError, safeErrorSummary } from '../shared/log-safe-error.ts';
import { httpStatusFor, type WebContext, type WebDeps } from './context.ts';
import { registerAdminRoutes } from './pages/admin-routes.ts';
import { registerAuthRoutes } from './pages/auth-routes.ts';
import { registerCaseRoutes } from './pages/case-routes.ts';
import { registerCodeRoutes } from './pages/code-routes.ts';
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

  const sessions = await registerSecurity(app, { orm: deps.orm, log: deps.log, session: deps.session ?? {}, rateLimit: deps.rateLimit, metricsToken: deps.metricsToken });
  const pruner = setInterval(() => void sessions.prune().catch((err: unknown) => app.log.warn({ err: logSafeError(err) }, 'session prune failed')), 15 * 60_000);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
  await app.register(fastifyFormbody);
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('../../public/', import.meta.url)), prefix: '/static/', index: false, maxAge: '1h' });

  registerHealth(app, deps);
  await registerAuthRoutes(app, ctx, sessions);
  await registerQueueRoutes(app, ctx);
  await registerCaseRoutes(app, ctx);
  await registerCodeRoutes(app, ctx);
  await registerAdminRoutes(app, ctx, sessions);
  await registerMetrics(app, ctx);
  await registerReviewApi(app, deps);
  return app;
}

/** Domain errors → status (context.ts), as JSON for the API and scripts, as a page for a browser. */
function registerErrorPages(app: FastifyInstance, render: PageRenderer): void {
  app.setErrorHandler((err, request, reply) => {
    const status = httpStatusFor(err);
    // Name, code and stack frames only: a database error's message can quote the SQL parameters (message text).
    if (status >= 500) request.log.error({ err: logSafeError(err), route: request.routeOptions.url ?? null }, 'request failed');
    const message = status >= 500 && !(err instanceof AppError) ? 'internal error' : (err as Error).message;
    if (request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')) return reply.status(status).send({ error: message });
    return reply.status(status).type('text/html; charset=utf-8').send(render('error', { title: `Error ${status}`, user: null, csrf: '', flash: null, nav: 'error', status, message }));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')) return reply.status(404).send({ error: 'not found' });
    return reply.status(404).type('text/html; charset=utf-8').send(render('error', { title: 'Not found', user: null, csrf: '', flash: null, nav: 'error', status: 404, message: 'There is no page here.' }));
  });
}

/** `/healthz` (public): the database, Redis with the queue depths, and what `deps.health` adds (IMAP). 503 when one fails. */
function registerHealth(app: FastifyInstance, deps: WebDeps): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    const checks: Record<string, unknown> = {};
    let ok = true;
    try {
      await deps.orm.em.fork().getConnection().execute('select 1');
      checks.database = 'ok';
    } catch (err) {
      ok = false;
      checks.database = `error: ${safeErrorSummary(err)}`;
    }
    try {
      checks.queues = await deps.queues.depths();
      checks.redis = 'ok';
    } catch (err) {
      ok = false;
      checks.redis = `error: ${safeErrorSummary(err)}`;
    }
    if (deps.health) Object.assign(checks, await deps.health());
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...checks });
  });
}
