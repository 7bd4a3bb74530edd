import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Draft } from '../../drafts/draft.entity.ts';
import { addCaseNote, askForMoreInfo, assignCase, recordCaseView, saveDraft } from '../../review/actions.ts';
import { insertPhiNotice } from '../../drafts/phi-notice.ts';
import { releaseHeldCase } from '../../review/release.ts';
import { approveDraft, rejectDraft } from '../../review/review.ts';
import { AppError, NotFoundError } from '../../shared/errors.ts';
import { idParam, parseInput, redirectWith, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';
import { loadCasePage } from './case-view.ts';

const caseQuery = z.object({ draft: z.coerce.number().int().positive().optional() });
const textBody = z.object({ bodyText: z.string().max(200_000), _csrf: z.string().optional() });
const rejectBody = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(5_000), _csrf: z.string().optional() });
const noteBody = z.object({ text: z.string().max(10_000), _csrf: z.string().optional() });

/**
 * Run a page action: on a domain error (refused approval, empty text, a draft no longer
 * pending) go back to the case page with the reason shown, instead of an error page.
 */
async function act(request: FastifyRequest, reply: FastifyReply, back: string, fn: () => Promise<string>, next?: () => Promise<string>): Promise<FastifyReply> {
  try {
    const message = await fn();
    return redirectWith(request, reply, next ? await next() : back, 'ok', message);
  } catch (err) {
    if (err instanceof AppError && !(err instanceof NotFoundError) && err.code !== 'internal') return redirectWith(request, reply, back, 'error', err.message);
    throw err;
  }
}

/** After a decision, on to the next pending draft by due time (the queue when there is none). */
async function nextPending(ctx: WebContext): Promise<string> {
  const next = await ctx.deps.orm.em.fork().findOne(Draft, { state: 'pending' }, { orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], fields: ['id', 'caseId'] });
  return next ? `/cases/${next.caseId}?draft=${next.id}` : '/queue';
}

/** A draft's case and the page to come back to. @throws NotFoundError (404). */
async function draftOf(ctx: WebContext, id: number) {
  const draft = await ctx.deps.orm.em.fork().findOne(Draft, { id }, { fields: ['id', 'caseId'] });
  if (!draft) throw new NotFoundError(`draft ${id} not found`);
  return { draft, back: `/cases/${draft.caseId}?draft=${draft.id}` };
}

/**
 * The case page and its actions: approve and send, save, reject, ask for more info, assign to me,
 * internal note. A decision (approve, reject, ask) moves on to the next pending draft; a refusal
 * stays on the case with its reason.
 */
export async function registerCaseRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  registerCasePage(app, ctx);
  registerDraftDecisions(app, ctx);
  registerCaseActions(app, ctx);
}

/** `/cases/:id` (recorded as viewed), `/drafts/:id` (to its case), and saving a draft's text. */
function registerCasePage(app: FastifyInstance, ctx: WebContext): void {
  const { deps } = ctx;
  const em = () => deps.orm.em.fork();
  app.get('/cases/:id', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { draft } = parseInput(caseQuery, request.query);
    const me = request.user!.email;
    const view = await loadCasePage(em(), { caseId: id, draftId: draft, viewer: me, unresolvedCodes: deps.approve.unresolvedCodes });
    await recordCaseView(em(), { caseId: id, actor: me, draftId: view.draft?.id ?? null });
    return sendPage(request, reply, ctx.render, 'case', `${view.case.number} ${view.case.subject}`, view);
  });

  app.get('/drafts/:id', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    return reply.redirect((await draftOf(ctx, id)).back, 303);
  });

  // The draft form's "insert the please-don't-send-identifiers paragraph" button: the text as edited, plus the paragraph, saved.
  app.post('/drafts/:id/phi-notice', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { bodyText } = parseInput(textBody, request.body);
    const { back } = await draftOf(ctx, id);
    return act(request, reply, back, async () => {
      await saveDraft({ em: em(), renderConsultantReply: ctx.renderer.renderConsultantReply }, { draftId: id, actor: request.user!.email, bodyText: insertPhiNotice(bodyText) });
      return 'Added the paragraph asking the coder not to send patient identifiers.';
    });
  });

  app.post('/drafts/:id/save', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { bodyText } = parseInput(textBody, request.body);
    const { back } = await draftOf(ctx, id);
    return act(request, reply, back, async () => {
      await saveDraft({ em: em(), renderConsultantReply: ctx.renderer.renderConsultantReply }, { draftId: id, actor: request.user!.email, bodyText });
      return 'Draft saved.';
    });
  });
}

/** The decisions on a draft: approve and send, reject, ask the coder for more information. */
function registerDraftDecisions(app: FastifyInstance, ctx: WebContext): void {
  const { deps } = ctx;
  const em = () => deps.orm.em.fork();
  const next = () => nextPending(ctx);
  app.post('/drafts/:id/approve', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { bodyText } = parseInput(textBody, request.body);
    const { draft, back } = await draftOf(ctx, id);
    const actor = request.user!.email;
    return act(request, reply, back, async () => {
      // Keep the edit even when approval is refused: the consultant fixes it and tries again.
      await saveDraft({ em: em(), renderConsultantReply: ctx.renderer.renderConsultantReply }, { draftId: id, actor, bodyText });
      const result = await approveDraft({ ...deps.approve, em: em() }, { draftId: id, actor });
      await deps.queues.enqueueSend(result.outboxId);
      return `CD-${draft.caseId}: reply approved, sending.`;
    }, next);
  });

  app.post('/drafts/:id/reject', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { draft, back } = await draftOf(ctx, id);
    return act(request, reply, back, async () => {
      const { reason } = parseInput(rejectBody, request.body);
      await rejectDraft(em(), { draftId: id, actor: request.user!.email, reason });
      return `CD-${draft.caseId}: draft rejected; nothing was sent.`;
    }, next);
  });

  app.post('/drafts/:id/needs-info', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { draft, back } = await draftOf(ctx, id);
    return act(request, reply, back, async () => {
      const result = await askForMoreInfo(
        { em: em(), makeMessageId: deps.approve.makeMessageId, textToHtml: deps.approve.textToHtml, renderer: ctx.renderer, signatureName: ctx.signatureName },
        { draftId: id, actor: request.user!.email },
      );
      await deps.queues.enqueueSend(result.outboxId);
      return `CD-${draft.caseId}: asked the coder for more information.`;
    }, next);
  });
}

/** Case actions: assign to me, release a held case (unverified sender), an internal note. */
function registerCaseActions(app: FastifyInstance, ctx: WebContext): void {
  const em = () => ctx.deps.orm.em.fork();
  app.post('/cases/:id/assign', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    return act(request, reply, `/cases/${id}`, async () => {
      await assignCase(em(), { caseId: id, assignee: request.user!.email, actor: request.user!.email });
      return 'Assigned to you.';
    });
  });

  app.post('/cases/:id/release', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    return act(request, reply, `/cases/${id}`, async () => {
      const result = await releaseHeldCase(em(), { caseId: id, actor: request.user!.email, plans: ctx.plans });
      for (const caseMessageId of result.caseMessageIds) await ctx.deps.queues.enqueueDraft(caseMessageId);
      if (result.already) return `CD-${id} is not held.`;
      return `CD-${id} released: counted against the subscriber's quota${result.overQuota ? ' (already used up this month)' : ''}; a draft is being prepared.`;
    });
  });

  app.post('/cases/:id/notes', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const { text } = parseInput(noteBody, request.body);
    return act(request, reply, `/cases/${id}`, async () => {
      await addCaseNote(em(), { caseId: id, author: request.user!.email, text });
      return 'Note added (internal, never sent).';
    });
  });
}
