import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Orm } from '../db/orm.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Queues } from '../shared/queues.ts';
import type { ApproveDeps } from '../review/review.ts';
import { registerReviewApi } from './review-api.ts';

export interface WebDeps {
  orm: Orm;
  queues: Queues;
  log: Logger;
  approve: Omit<ApproveDeps, 'em'>;
  /** Health of parts outside the web process (IMAP connection, …). */
  health?: () => Promise<Record<string, unknown>>;
}

/** Domain errors → HTTP status, in one place. */
export function httpStatusFor(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ValidationError) return 400;
  if (err instanceof ConflictError) return 409;
  if (err instanceof AppError) return 500;
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' ? status : 500;
}

/** Build (not start) the HTTP server. */
export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'web' }) as unknown as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: 2 * 1024 * 1024,
  }) as unknown as FastifyInstance;
  app.setErrorHandler((err, request, reply) => {
    const status = httpStatusFor(err);
    if (status >= 500) request.log.error({ err: (err as Error).message, url: request.url }, 'request failed');
    void reply.status(status).send({ error: status >= 500 && !(err instanceof AppError) ? 'internal error' : (err as Error).message });
  });
  app.get('/healthz', async (_request, reply) => {
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
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...checks });
  });
  await registerReviewApi(app, deps);
  return app;
}
