import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Case } from '../../cases/case.entity.ts';
import { casesWithOpenImpact } from '../../impact/impacts.ts';
import { recentViewers } from '../../review/actions.ts';
import { listDrafts } from '../../review/review.ts';
import { Subscriber } from '../../subscribers/subscriber.entity.ts';
import { parseInput, sendPage } from '../page.ts';
import type { WebContext } from '../context.ts';
import { formatDuration } from '../views.ts';

const queueQuery = z.object({
  filter: z.enum(['all', 'mine', 'unassigned']).default('all'),
  state: z.enum(['pending', 'approved', 'rejected', 'sent', 'failed', 'all']).default('pending'),
});

/**
 * The queue: drafts by due time, with age, countdown, sender (with the "unverified sender" badge),
 * plan, codes and who has the case open; above them, the cases held as "unverified sender".
 */
export async function registerQueueRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect('/queue', 303));

  app.get('/queue', async (request, reply) => {
    const q = parseInput(queueQuery, request.query);
    const em = ctx.deps.orm.em.fork();
    const drafts = await listDrafts(em, { state: q.state === 'all' ? undefined : q.state, limit: 500 });
    const caseIds = [...new Set(drafts.map((d) => d.caseId))];
    const cases = new Map((await em.find(Case, { id: { $in: caseIds } }, { fields: ['id', 'subject', 'assignee', 'subscriberId', 'unverifiedSender'] })).map((c) => [c.id, c]));
    const subscriberIds = [...cases.values()].map((c) => c.subscriberId).filter((id): id is number => id != null);
    const plans = new Map((await em.find(Subscriber, { id: { $in: subscriberIds } }, { fields: ['id', 'plan'] })).map((s) => [s.id, s.plan]));
    const viewers = await recentViewers(em, caseIds);
    const impacted = await casesWithOpenImpact(em, caseIds);
    const me = request.user!.email;
    const now = Date.now();
    const rows = drafts
      .map((d) => {
        const c = cases.get(d.caseId);
        const due = d.dueAt ? new Date(d.dueAt).getTime() : null;
        return {
          ...d,
          caseSubject: c?.subject ?? d.subject,
          assignee: c?.assignee ?? null,
          unverifiedSender: c?.unverifiedSender ?? false,
          plan: c?.subscriberId != null ? (plans.get(c.subscriberId) ?? null) : null,
          codeList: Object.values(d.codes).flat().join(' '),
          age: formatDuration(now - new Date(d.createdAt).getTime()),
          dueIn: due === null ? null : `${due < now ? 'overdue ' : ''}${formatDuration(due - now)}`,
          overdue: due !== null && due < now,
          viewers: (viewers.get(d.caseId) ?? []).filter((v) => v !== me),
          impact: impacted.has(d.caseId),
        };
      })
      .filter((r) => (q.filter === 'mine' ? r.assignee === me : q.filter === 'unassigned' ? r.assignee === null : true));
    const link = (filter: string, state: string) => `/queue?filter=${filter}&state=${state}`;
    // Held cases have no draft yet: listed apart, for a consultant to release (or leave).
    const held = (await em.find(Case, { state: 'held' }, { orderBy: { openedAt: 'asc' }, limit: 200, fields: ['id', 'subject', 'requesterEmail', 'holdReason', 'openedAt'] }))
      .map((c) => ({ caseId: c.id, caseNumber: `CD-${c.id}`, subject: c.subject, requester: c.requesterEmail, reason: c.holdReason ?? 'held', age: formatDuration(now - new Date(c.openedAt).getTime()) }));
    return sendPage(request, reply, ctx.render, 'queue', 'Queue', {
      rows,
      held,
      count: rows.length,
      filter: q.filter,
      state: q.state,
      filters: ['all', 'mine', 'unassigned'].map((f) => ({ name: f, href: link(f, q.state), active: f === q.filter })),
      states: ['pending', 'approved', 'sent', 'failed', 'rejected', 'all'].map((s) => ({ name: s, href: link(q.filter, s), active: s === q.state })),
    });
  });
}
