import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate } from '../../review/users.ts';
import { parseInput, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import type { createDatabaseSessionStore } from '../session-store.ts';

const loginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024), next: z.string().max(2000).optional(), _csrf: z.string().optional() });
const loginQuery = z.object({ next: z.string().max(2000).optional() });

/** Only a local path is a place to go after login (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/queue';
}

/** Login attempts per account (any address) in a window: password guessing spread over many IPs. */
export const ACCOUNT_LOGIN_LIMIT = { max: 20, timeWindow: 15 * 60_000 };

/** `/login` (form, and the post, rate-limited per IP and per account) and `/logout`. */
export async function registerAuthRoutes(app: FastifyInstance, ctx: WebContext, _sessions: ReturnType<typeof createDatabaseSessionStore>): Promise<void> {
  const accountLimit = app.createRateLimit({ ...ACCOUNT_LOGIN_LIMIT, keyGenerator: (req) => `login-account:${String((req.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase().slice(0, 320)}` });
  app.get('/login', { config: { public: true } }, async (request, reply) => {
    const { next } = parseInput(loginQuery, request.query);
    return sendPage(request, reply, ctx.render, 'login', 'Log in', { next: safeNext(next), error: null, email: '' });
  });

  app.post('/login', {
    config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: (req) => `login:${req.ip}` } },
  }, async (request, reply) => {
    const body = parseInput(loginBody, request.body);
    const limit = await accountLimit(request);
    if (!limit.isAllowed && limit.isExceeded) {
      throw Object.assign(new Error(`Too many login attempts for this account; try again in ${Math.ceil(limit.ttlInSeconds / 60)} minutes.`), { statusCode: 429, ttl: limit.ttl });
    }
    const em = ctx.deps.orm.em.fork();
    const user = await authenticate(em, body.email, body.password);
    if (!user) {
      await em.flush();
      await appendAudit(em, { actor: body.email.toLowerCase().slice(0, 320), action: 'login.failed', details: {} });
      return sendPage(request, reply, ctx.render, 'login', 'Log in', { next: safeNext(body.next), error: 'Wrong email or password.', email: body.email }, 401);
    }
    // A new session id on login: a session id planted before login is worth nothing after it.
    await request.session.regenerate();
    request.session.userId = user.id;
    await em.flush();
    await appendAudit(em, { actor: user.email, action: 'login', details: {} });
    return reply.redirect(safeNext(body.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    const em = ctx.deps.orm.em.fork();
    await em.flush();
    await appendAudit(em, { actor: request.user!.email, action: 'logout', details: {} });
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
