import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { draftFollowUp } from '../../impact/follow-up.ts';
import { casesOf, listImpacts, type ImpactView } from '../../impact/impacts.ts';
import { AppError, NotFoundError } from '../../shared/errors.ts';
import { parseInput, redirectWith, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';

const listQuery = z.object({ show: z.enum(['open', 'all']).default('open') });
const followUpBody = z.object({ caseId: z.coerce.number().int().positive(), releaseId: z.coerce.number().int().positive(), _csrf: z.string().optional() });

export interface ImpactGroup {
  caseId: number;
  caseNumber: string;
  subject: string;
  requester: string;
  release: ImpactView['release'];
  answers: ImpactView[];
  followUp: ImpactView['followUp'];
  open: boolean;
}

/** Impacts grouped by case and release: one follow-up covers one group. */
export function groupImpacts(views: ImpactView[], cases: Map<number, { subject: string; requesterEmail: string }>): ImpactGroup[] {
  const groups = new Map<string, ImpactGroup>();
  for (const v of views) {
    const key = `${v.caseId}:${v.release.id}`;
    let g = groups.get(key);
    if (!g) {
      const c = cases.get(v.caseId);
      g = { caseId: v.caseId, caseNumber: v.caseNumber, subject: c?.subject ?? '', requester: c?.requesterEmail ?? '', release: v.release, answers: [], followUp: v.followUp, open: v.open };
      groups.set(key, g);
    }
    g.answers.push(v);
    g.followUp ??= v.followUp;
    g.open ||= v.open;
  }
  return [...groups.values()];
}

async function loadGroups(ctx: WebContext, open: boolean): Promise<ImpactGroup[]> {
  const em = ctx.deps.orm.em.fork();
  const views = await listImpacts(em, { open });
  return groupImpacts(views, await casesOf(em, [...new Set(views.map((v) => v.caseId))]));
}

/**
 * "Answers affected by new releases" (consultants and admins): sent answers whose cited facts a
 * newer release changed, by case, with before and after; "Draft follow-up" opens a pending
 * follow-up draft in the case's thread (approved like any draft: nothing is mailed before that).
 * The same as JSON under /api/impacts.
 */
export async function registerImpactRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const deps = () => ({ em: ctx.deps.orm.em.fork(), renderer: ctx.renderer, signatureName: ctx.signatureName });
  app.get('/impacts', async (request, reply) => {
    const q = parseInput(listQuery, request.query);
    const groups = await loadGroups(ctx, q.show === 'open');
    return sendPage(request, reply, ctx.render, 'impacts', 'Answers affected by new releases', { groups, count: groups.length, show: q.show });
  });
  app.post('/impacts/follow-up', async (request, reply) => {
    const body = parseInput(followUpBody, request.body);
    try {
      const { draftId, caseId, already } = await draftFollowUp(deps(), { caseId: body.caseId, releaseId: body.releaseId, actor: request.user!.email });
      return redirectWith(request, reply, `/cases/${caseId}?draft=${draftId}`, 'ok', already ? `CD-${caseId}: the follow-up was drafted before; here it is.` : `CD-${caseId}: follow-up drafted. Review and approve it to send.`);
    } catch (err) {
      if (err instanceof AppError && !(err instanceof NotFoundError)) return redirectWith(request, reply, '/impacts', 'error', err.message);
      throw err;
    }
  });
  app.get('/api/impacts', async (request) => ({ groups: await loadGroups(ctx, parseInput(listQuery, request.query).show === 'open') }));
  app.post('/api/impacts/follow-up', async (request) => {
    const body = parseInput(followUpBody, request.body);
    return draftFollowUp(deps(), { caseId: body.caseId, releaseId: body.releaseId, actor: request.user!.email });
  });
}
