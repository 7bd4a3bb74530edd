import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CodeRelease } from '../../codes/code-release.entity.ts';
import { AuditEntry } from '../../review/audit.entity.ts';
import { Outbox, type OutboxKind, type OutboxState } from '../../cases/outbox.entity.ts';
import { listOutbox, markUnknownSent, OUTBOX_KINDS, OUTBOX_STATES, resendUnknown } from '../../review/outbox.ts';
import { addUser, listUsers, removeUser } from '../../review/users.ts';
import { AppError } from '../../shared/errors.ts';
import { monthlyUsage } from '../../cases/quota.ts';
import { addSubscriber, listSubscribers, removeSubscriber, setPlan } from '../../subscribers/subscribers.ts';
import { parseInput, redirectWith, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import type { createDatabaseSessionStore } from '../session-store.ts';

const csrf = { _csrf: z.string().optional() };
const subscriberBody = z.object({ pattern: z.string().trim().min(1).max(320), plan: z.string().trim().min(1).max(64), ...csrf });
const patternBody = z.object({ pattern: z.string().trim().min(1).max(320), ...csrf });
const userBody = z.object({ email: z.string().trim().min(1).max(320), role: z.enum(['consultant', 'admin']), password: z.string().max(1024), ...csrf });
const emailBody = z.object({ email: z.string().trim().min(1).max(320), ...csrf });
const auditQuery = z.object({
  actor: z.string().trim().max(320).default(''),
  action: z.string().trim().max(64).default(''),
  caseId: z.coerce.number().int().positive().optional().or(z.literal('').transform(() => undefined)),
  before: z.coerce.number().int().positive().optional(),
});

/** Run an admin form action, audit it, and come back to the page with the outcome shown. */
async function adminAct(request: FastifyRequest, reply: FastifyReply, ctx: WebContext, back: string, action: string, details: Record<string, unknown>, fn: () => Promise<string>) {
  try {
    const message = await fn();
    const em = ctx.deps.orm.em.fork();
    await em.flush();
    await appendAudit(em, { actor: request.user!.email, action, details });
    return redirectWith(request, reply, back, 'ok', message);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return redirectWith(request, reply, back, 'error', err.message);
  }
}

type Sessions = ReturnType<typeof createDatabaseSessionStore>;

/** Admin pages (admins only, enforced in security.ts): subscribers, users, releases, the audit log, the outbox, bull-board. */
export async function registerAdminRoutes(app: FastifyInstance, ctx: WebContext, sessions: Sessions): Promise<void> {
  app.get('/admin', async (_request, reply) => reply.redirect('/admin/subscribers', 303));
  registerSubscriberAdmin(app, ctx);
  registerUserAdmin(app, ctx, sessions);
  registerReleaseList(app, ctx);
  registerAuditLog(app, ctx);
  registerOutboxAdmin(app, ctx);
  await registerQueueBoard(app, ctx);
}

/** `/admin/subscribers`: the list with this month's usage; add, change plan, remove (each audited). */
function registerSubscriberAdmin(app: FastifyInstance, ctx: WebContext): void {
  const em = () => ctx.deps.orm.em.fork();
  app.get('/admin/subscribers', async (request, reply) => {
    const e = em();
    const now = new Date();
    const subs = await listSubscribers(e);
    const rows = await Promise.all(subs.map(async (s) => ({ pattern: s.pattern, plan: s.plan, quota: ctx.plans[s.plan] ?? null, used: await monthlyUsage(e, s.id, now), since: s.createdAt.toISOString().slice(0, 10) })));
    const plans = Object.entries(ctx.plans).map(([name, quota]) => ({ name, quota }));
    await appendAudit(e, { actor: request.user!.email, action: 'admin.read', details: { what: 'subscribers', rows: rows.length } });
    return sendPage(request, reply, ctx.render, 'admin-subscribers', 'Subscribers', { rows, plans });
  });
  app.post('/admin/subscribers', async (request, reply) => {
    const body = parseInput(subscriberBody, request.body);
    return adminAct(request, reply, ctx, '/admin/subscribers', 'subscriber.add', { pattern: body.pattern, plan: body.plan }, async () => {
      const s = await addSubscriber(em(), body.pattern, body.plan, ctx.plans);
      return `Added ${s.pattern} on ${s.plan}.`;
    });
  });
  app.post('/admin/subscribers/plan', async (request, reply) => {
    const body = parseInput(subscriberBody, request.body);
    return adminAct(request, reply, ctx, '/admin/subscribers', 'subscriber.plan', { pattern: body.pattern, plan: body.plan }, async () => {
      const s = await setPlan(em(), body.pattern, body.plan, ctx.plans);
      return `${s.pattern} is now on ${s.plan}.`;
    });
  });
  app.post('/admin/subscribers/remove', async (request, reply) => {
    const body = parseInput(patternBody, request.body);
    return adminAct(request, reply, ctx, '/admin/subscribers', 'subscriber.remove', { pattern: body.pattern }, async () => {
      const s = await removeSubscriber(em(), body.pattern);
      return `Removed ${s.pattern}.`;
    });
  });
}

/** `/admin/users`: the list; add a user (audited by addUser), remove one and end their sessions. */
function registerUserAdmin(app: FastifyInstance, ctx: WebContext, sessions: Sessions): void {
  const em = () => ctx.deps.orm.em.fork();
  app.get('/admin/users', async (request, reply) => {
    const rows = await listUsers(em(), { includeInactive: true });
    await appendAudit(em(), { actor: request.user!.email, action: 'admin.read', details: { what: 'users', rows: rows.length } });
    return sendPage(request, reply, ctx.render, 'admin-users', 'Users', { rows });
  });
  app.post('/admin/users', async (request, reply) => {
    const body = parseInput(userBody, request.body);
    // addUser writes its own audit entry (user.add) with the acting admin.
    try {
      const u = await addUser(em(), { email: body.email, role: body.role, password: body.password, actor: request.user!.email });
      return redirectWith(request, reply, '/admin/users', 'ok', `Added ${u.email} (${u.role}).`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return redirectWith(request, reply, '/admin/users', 'error', err.message);
    }
  });
  app.post('/admin/users/remove', async (request, reply) => {
    const body = parseInput(emailBody, request.body);
    try {
      if (body.email.toLowerCase() === request.user!.email) return redirectWith(request, reply, '/admin/users', 'error', 'You cannot remove yourself.');
      const u = await removeUser(em(), body.email, request.user!.email);
      await sessions.destroyForUser(u.id);
      return redirectWith(request, reply, '/admin/users', 'ok', `Removed ${u.email}; their sessions ended.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return redirectWith(request, reply, '/admin/users', 'error', err.message);
    }
  });
}

/** `/admin/releases`: every imported code-set release with its import counts. */
function registerReleaseList(app: FastifyInstance, ctx: WebContext): void {
  app.get('/admin/releases', async (request, reply) => {
    const rows = (await ctx.deps.orm.em.fork().find(CodeRelease, {}, { orderBy: [{ system: 'asc' }, { effectiveDate: 'desc' }] })).map((r) => ({
      system: r.system, version: r.version, layout: r.layout, effectiveDate: r.effectiveDate, sourceFile: r.sourceFile, checksum: r.checksum.slice(0, 12),
      rows: r.rowsRead, added: r.rowsAdded, changed: r.rowsChanged, ended: r.rowsEnded, rejected: r.rowsRejected, importedAt: new Date(r.importedAt).toISOString(),
    }));
    return sendPage(request, reply, ctx.render, 'admin-releases', 'Code-set releases', { rows });
  });
}

/** `/admin/audit`: the audit log, newest first, filtered and paged; the latest sends beside it. */
function registerAuditLog(app: FastifyInstance, ctx: WebContext): void {
  const em = () => ctx.deps.orm.em.fork();
  app.get('/admin/audit', async (request, reply) => {
    const q = parseInput(auditQuery, request.query);
    const where: Record<string, unknown> = {};
    if (q.actor) where.actor = q.actor.toLowerCase();
    if (q.action) where.action = q.action;
    if (q.caseId) where.caseId = q.caseId;
    if (q.before) where.id = { $lt: q.before };
    const rows = (await em().find(AuditEntry, where, { orderBy: { id: 'desc' }, limit: 100 })).map((a) => ({
      id: a.id, at: new Date(a.at).toISOString(), actor: a.actor, action: a.action, caseId: a.caseId ?? null, draftId: a.draftId ?? null, details: JSON.stringify(a.details),
    }));
    // Sends are the send stage's record, not an audit entry: the latest ones, beside the log.
    const sent = q.before || q.actor || q.action ? [] : (await em().find(Outbox, q.caseId ? { caseId: q.caseId, sentAt: { $ne: null } } : { sentAt: { $ne: null } }, { orderBy: { sentAt: 'desc' }, limit: 25 })).map((o) => ({
      at: new Date(o.sentAt!).toISOString(), caseId: o.caseId ?? null, draftId: o.draftId ?? null, kind: o.kind, to: o.toAddress, state: o.state, messageId: o.messageId,
    }));
    const last = rows.at(-1);
    const older = rows.length === 100 && last ? `/admin/audit?actor=${encodeURIComponent(q.actor)}&action=${encodeURIComponent(q.action)}&caseId=${q.caseId ?? ''}&before=${last.id}` : null;
    return sendPage(request, reply, ctx.render, 'admin-audit', 'Audit log', { rows, sent, filter: { actor: q.actor, action: q.action, caseId: q.caseId ?? '' }, older });
  });
}

const outboxQuery = z.object({
  state: z.enum(OUTBOX_STATES as [OutboxState, ...OutboxState[]]).optional().or(z.literal('').transform(() => undefined)),
  kind: z.enum(OUTBOX_KINDS as [OutboxKind, ...OutboxKind[]]).optional().or(z.literal('').transform(() => undefined)),
});
const outboxBody = z.object({ id: z.coerce.number().int().positive(), ...csrf });

/** `/admin/outbox`: every outgoing mail with its state; "resend" and "mark sent" for `unknown` rows whose copy did not come back. */
function registerOutboxAdmin(app: FastifyInstance, ctx: WebContext): void {
  const em = () => ctx.deps.orm.em.fork();
  const settings = ctx.deps.outbox ?? { from: { name: ctx.signatureName, address: 'casedesk@localhost.localdomain' }, decideAfterMs: 0 };
  app.get('/admin/outbox', async (request, reply) => {
    const q = parseInput(outboxQuery, request.query);
    const rows = await listOutbox(em(), { state: q.state, kind: q.kind, decideAfterMs: settings.decideAfterMs });
    const waitMinutes = Math.round(settings.decideAfterMs / 60_000);
    return sendPage(request, reply, ctx.render, 'admin-outbox', 'Outbox', { rows, states: OUTBOX_STATES, kinds: OUTBOX_KINDS, filter: { state: q.state ?? '', kind: q.kind ?? '' }, waitMinutes });
  });
  app.post('/admin/outbox/resend', async (request, reply) => {
    const body = parseInput(outboxBody, request.body);
    // resendUnknown writes its own audit entry (outbox.resend) with the acting admin.
    try {
      const row = await resendUnknown(em(), { outboxId: body.id, actor: request.user!.email });
      await ctx.deps.queues.forget('send', row.id);
      await ctx.deps.queues.enqueueSend(row.id);
      return redirectWith(request, reply, '/admin/outbox?state=unknown', 'ok', `Outbox ${row.id} queued again.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return redirectWith(request, reply, '/admin/outbox?state=unknown', 'error', err.message);
    }
  });
  app.post('/admin/outbox/mark-sent', async (request, reply) => {
    const body = parseInput(outboxBody, request.body);
    try {
      const row = await markUnknownSent(em(), { outboxId: body.id, actor: request.user!.email, from: settings.from });
      return redirectWith(request, reply, '/admin/outbox?state=unknown', 'ok', `Outbox ${row.id} recorded as sent.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return redirectWith(request, reply, '/admin/outbox?state=unknown', 'error', err.message);
    }
  });
}

/** `/admin/queues`: bull-board over the three queues. */
async function registerQueueBoard(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const board = new FastifyAdapter();
  createBullBoard({
    queues: Object.values(ctx.deps.queues.queues).map((q) => new BullMQAdapter(q)),
    // @bull-board/fastify carries its own copy of @bull-board/api (9.10.1): same interface, different type identity.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    // A way back to CaseDesk from bull-board's header, and our icon.
    options: { uiConfig: { boardTitle: 'CaseDesk queues', miscLinks: [{ text: '← Back to CaseDesk', url: '/queue' }], favIcon: { default: '/static/favicon.svg', alternative: '/static/favicon.svg' } } },
  });
  board.setBasePath('/admin/queues');
  await app.register(board.registerPlugin(), { prefix: '/admin/queues' });
}
