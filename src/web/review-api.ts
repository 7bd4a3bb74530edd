import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { releaseHeldCase } from '../review/release.ts';
import { approveDraft, listDrafts, listInbound, rejectDraft, retryInbound, showDraft } from '../review/review.ts';
import { ValidationError } from '../shared/errors.ts';
import { appendAudit } from '../audit/audit-chain-store.ts';
import type { WebDeps } from './context.ts';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const listQuery = z.object({ state: z.enum(['pending', 'approved', 'rejected', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
const approveBody = z.object({ bodyText: z.string().min(1).optional(), actor: z.string().min(1).default('api') }).default({ actor: 'api' });
const rejectBody = z.object({ reason: z.string().trim().min(1, 'a reason is required'), actor: z.string().min(1).default('api') });
const messagesQuery = z.object({ state: z.enum(['stored', 'parsed', 'ignored', 'duplicate', 'quarantined']).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  return result.data;
}

/**
 * The JSON review API: the same cores as the CLI (`casedesk drafts …`, `casedesk messages …`).
 * It needs a login session like every page; POSTs need the session's CSRF token in an
 * `x-csrf-token` header (from `GET /api/me`). The actor recorded is the logged-in user; an
 * `actor` field in the body is accepted for compatibility and ignored.
 */
export async function registerReviewApi(app: FastifyInstance, deps: WebDeps): Promise<void> {
  app.get('/api/me', async (request, reply) => ({ email: request.user!.email, role: request.user!.role, csrfToken: reply.generateCsrf() }));
  app.get('/api/drafts', async (request) => {
    const q = parse(listQuery, request.query);
    return { drafts: await listDrafts(deps.orm.em.fork(), q) };
  });
  app.get('/api/drafts/:id', async (request) => {
    const { id } = parse(idParam, request.params);
    const draft = await showDraft(deps.orm.em.fork(), id);
    await appendAudit(deps.orm.em.fork(), { actor: request.user!.email, action: 'draft.view', caseId: draft.case.id, draftId: draft.id, details: { via: 'api' } });
    return draft;
  });
  app.post('/api/drafts/:id/approve', async (request) => {
    const { id } = parse(idParam, request.params);
    const body = parse(approveBody, request.body ?? {});
    const result = await approveDraft({ ...deps.approve, em: deps.orm.em.fork() }, { draftId: id, actor: request.user!.email, bodyText: body.bodyText });
    await deps.queues.enqueueSend(result.outboxId);
    // The same words as the page's button: approving the suggestion unedited is its own action.
    return { ...result, action: result.approvedUnchanged ? 'Approve suggested answer' : 'Approve and send' };
  });
  app.post('/api/drafts/:id/reject', async (request) => {
    const { id } = parse(idParam, request.params);
    const body = parse(rejectBody, request.body ?? {});
    await rejectDraft(deps.orm.em.fork(), { draftId: id, actor: request.user!.email, reason: body.reason });
    return { ok: true };
  });
  app.post('/api/cases/:id/release', async (request) => {
    const { id } = parse(idParam, request.params);
    const result = await releaseHeldCase(deps.orm.em.fork(), { caseId: id, actor: request.user!.email, plans: deps.plans ?? {} });
    for (const caseMessageId of result.caseMessageIds) await deps.queues.enqueueDraft(caseMessageId);
    return result;
  });
  app.get('/api/messages', async (request) => {
    const q = parse(messagesQuery, request.query);
    return { messages: await listInbound(deps.orm.em.fork(), q) };
  });
  app.post('/api/messages/:id/retry', async (request) => {
    const { id } = parse(idParam, request.params);
    await retryInbound(deps.orm.em.fork(), id, request.user!.email);
    await deps.queues.forget('parse', id);
    await deps.queues.enqueueParse(id);
    return { ok: true };
  });
}
