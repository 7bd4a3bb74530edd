import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { z } from 'zod';
import { AuditEntry } from '../../review/audit.entity.ts';
import { loadDraftStats } from '../../review/draft-stats-load.ts';
import { editReusableAnswer, listReusableAnswers, setReusableAnswerState } from '../../review/reusable-answers.ts';
import { AppError } from '../../shared/errors.ts';
import { idParam, parseInput, redirectWith, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';

const statsQuery = z.object({ since: z.string().trim().max(10).optional().transform((v) => (v ? v : undefined)) });
const editBody = z.object({ body: z.string().max(50_000), _csrf: z.string().optional() });
const stateBody = z.object({ state: z.enum(['active', 'retired']), _csrf: z.string().optional() });

/** Run an admin action on a reusable answer, audit it, back to the list with the outcome. */
async function act(request: FastifyRequest, reply: FastifyReply, ctx: WebContext, action: string, details: Record<string, unknown>, fn: () => Promise<string>) {
  try {
    const message = await fn();
    const em = ctx.deps.orm.em.fork();
    await appendAudit(em, { actor: request.user!.email, action, details });
    await em.flush();
    return redirectWith(request, reply, '/admin/answers', 'ok', message);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return redirectWith(request, reply, '/admin/answers', 'error', err.message);
  }
}

/**
 * Admin pages of the suggested answers (issue 10): `/admin/drafts-stats` (how consultants treat
 * the suggestions, overall and per intent: the same figures as `casedesk stats drafts`) and
 * `/admin/answers` (reusable answers: list, edit, retire, bring back).
 */
export async function registerAnswerAdminRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const em = () => ctx.deps.orm.em.fork();
  app.get('/admin/drafts-stats', async (request, reply) => {
    const { since } = parseInput(statsQuery, request.query);
    const stats = await loadDraftStats(em(), { since: since ?? null });
    const rows = [{ intent: 'All drafts', ...stats.overall }, ...Object.entries(stats.byIntent).map(([intent, f]) => ({ intent, ...f }))]
      .map((r) => ({ ...r, median: r.medianEditDistance === null ? '–' : r.medianEditDistance.toFixed(2) }));
    return sendPage(request, reply, ctx.render, 'admin-drafts-stats', 'Suggested answers', { since: stats.since, rows });
  });

  app.get('/admin/answers', async (request, reply) => {
    const rows = await listReusableAnswers(em());
    return sendPage(request, reply, ctx.render, 'admin-answers', 'Reusable answers', { rows });
  });
  app.post('/admin/answers/:id/edit', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { body } = parseInput(editBody, request.body);
    return act(request, reply, ctx, 'answer.edit', { reusableAnswerId: id }, async () => {
      await editReusableAnswer(em(), { id, body, actor: request.user!.email });
      return `Reusable answer ${id} saved.`;
    });
  });
  app.post('/admin/answers/:id/state', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { state } = parseInput(stateBody, request.body);
    return act(request, reply, ctx, state === 'retired' ? 'answer.retire' : 'answer.restore', { reusableAnswerId: id }, async () => {
      await setReusableAnswerState(em(), { id, state, actor: request.user!.email });
      return state === 'retired' ? `Reusable answer ${id} retired: no longer offered.` : `Reusable answer ${id} offered again.`;
    });
  });
}
