import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { simpleParser } from 'mailparser';
import { InboundMessage } from '../../ingest/ingest.entity.ts';
import { Draft } from '../../drafts/draft.entity.ts';
import { correctClassification, listCorrections, listSuppressed, type CorrectionResult } from '../../review/corrections.ts';
import { AppError, NotFoundError } from '../../shared/errors.ts';
import { idParam, parseInput, redirectWith, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';

/** Sender and subject of a raw message, from its header block only (the body is never parsed here). */
async function readHeaders(raw: Buffer): Promise<{ from: string; subject: string }> {
  const end = raw.indexOf('\r\n\r\n');
  const head = end >= 0 ? raw.subarray(0, end + 4) : raw.subarray(0, 64 * 1024);
  const parsed = await simpleParser(head, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  return { from: parsed.from?.text ?? '', subject: parsed.subject ?? '' };
}

async function correct(request: FastifyRequest, reply: FastifyReply, ctx: WebContext, back: string, run: () => Promise<CorrectionResult>, say: (r: CorrectionResult) => string) {
  try {
    const result = await run();
    if (result.refile) {
      await ctx.deps.queues.forget('parse', result.inboundId);
      await ctx.deps.queues.enqueueParse(result.inboundId);
    }
    return redirectWith(request, reply, back, 'ok', say(result));
  } catch (err) {
    if (err instanceof AppError && !(err instanceof NotFoundError)) return redirectWith(request, reply, back, 'error', err.message);
    throw err;
  }
}

/**
 * Consultants correct the mail classifier: "Not a question: automatic mail" on a draft, and on
 * `/admin/corrections` (admins) the corrections so far beside the latest suppressed messages,
 * each with "This was a person".
 */
export async function registerCorrectionRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const em = () => ctx.deps.orm.em.fork();
  app.post('/drafts/:id/automatic', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    const draft = await em().findOne(Draft, { id }, { fields: ['id', 'caseId', 'caseMessageId'] });
    if (!draft) throw new NotFoundError(`draft ${id} not found`);
    const back = `/cases/${draft.caseId}?draft=${draft.id}`;
    const inbound = await em().findOne(InboundMessage, { caseMessageId: draft.caseMessageId }, { fields: ['id'] });
    if (!inbound) return redirectWith(request, reply, back, 'error', 'This draft answers no received message; nothing to correct.');
    return correct(request, reply, ctx, back, () => correctClassification(em(), { inboundId: inbound.id, label: 'automatic', actor: request.user!.email }), (r) =>
      r.already ? 'Already marked as automatic mail.' : `Marked as automatic mail: ${r.rejectedDraftIds.length} draft(s) withdrawn${r.closedCaseId ? `, CD-${r.closedCaseId} closed` : ''}; nothing was sent.`);
  });

  app.get('/admin/corrections', async (request, reply) => {
    const [corrections, suppressed] = await Promise.all([listCorrections(em(), { limit: 200 }), listSuppressed(em(), readHeaders, 50)]);
    return sendPage(request, reply, ctx.render, 'admin-corrections', 'Classifier corrections', { corrections, suppressed });
  });

  app.post('/admin/messages/:id/human', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    return correct(request, reply, ctx, '/admin/corrections', () => correctClassification(em(), { inboundId: id, label: 'human', actor: request.user!.email }), (r) =>
      r.already ? `Message ${r.inboundId} was already marked as a person's.` : `Message ${r.inboundId} marked as a person's: it is being filed as a question.`);
  });
}
