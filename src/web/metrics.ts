import type { EntityManager } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { Draft } from '../drafts/draft.entity.ts';
import { countOpenImpacts } from '../impact/impacts.ts';
import { Impact } from '../impact/impact.entity.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { AuditEntry } from '../review/audit.entity.ts';
import { Outbox } from '../cases/outbox.entity.ts';
import type { WebContext } from './context.ts';

/** p-quantile (0..1) of ascending numbers; null for none. */
export function quantile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Intake (message stored) → draft stored, in seconds, for drafts made in the last 24 hours. */
async function intakeToDraftSeconds(em: EntityManager, now = new Date()): Promise<number[]> {
  const drafts = await em.find(Draft, { createdAt: { $gte: new Date(now.getTime() - 86_400_000) } }, { fields: ['caseMessageId', 'createdAt'], limit: 5_000, orderBy: { id: 'desc' } });
  const messages = new Map((await em.find(CaseMessage, { id: { $in: drafts.map((d) => d.caseMessageId) } }, { fields: ['id', 'createdAt'] })).map((m) => [m.id, m]));
  return drafts
    .map((d) => {
      const m = messages.get(d.caseMessageId);
      return m ? (new Date(d.createdAt).getTime() - new Date(m.createdAt).getTime()) / 1000 : null;
    })
    .filter((s): s is number => s !== null && s >= 0)
    .sort((a, b) => a - b);
}

/**
 * `/metrics` in Prometheus format (admins, or any logged-in scraper session). Counts are read
 * from the database at scrape time, so every web process reports the same numbers (the
 * database is the system of record, not one process's memory); queue depths come from BullMQ.
 */
export async function registerMetrics(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'casedesk_process_' });
  const em = () => ctx.deps.orm.em.fork();
  const fromDb = (name: string, help: string, count: () => Promise<number>): Counter => {
    const counter: Counter = new Counter({
      name, help, registers: [registry],
      async collect() {
        counter.reset();
        counter.inc(await count());
      },
    });
    return counter;
  };
  fromDb('casedesk_cases_received_total', 'Cases opened (questions received)', () => em().count(Case, {}));
  fromDb('casedesk_approvals_total', 'Drafts approved by a consultant', () => em().count(AuditEntry, { action: 'draft.approve' }));
  // Every reply that was ever sent (sentAt is kept when a reply later bounces): the counter never goes down.
  fromDb('casedesk_sends_total', 'Replies sent over SMTP', () => em().count(Outbox, { sentAt: { $ne: null } }));
  const failures: Counter<'kind'> = new Counter({
    name: 'casedesk_failures_total', help: 'Failures: replies that failed or bounced, messages quarantined', labelNames: ['kind'], registers: [registry],
    async collect() {
      failures.reset();
      failures.inc({ kind: 'send' }, await em().count(Outbox, { state: { $in: ['failed', 'bounced'] } }));
      failures.inc({ kind: 'inbound' }, await em().count(InboundMessage, { state: 'quarantined' }));
    },
  });
  const pending: Gauge = new Gauge({ name: 'casedesk_drafts_pending', help: 'Drafts waiting for a consultant', registers: [registry], async collect() { pending.set(await em().count(Draft, { state: 'pending' })); } });
  const openImpacts: Gauge = new Gauge({ name: 'casedesk_impacts_open', help: 'Sent answers a newer code-set release changed, with no follow-up sent yet', registers: [registry], async collect() { openImpacts.set(await countOpenImpacts(em())); } });
  fromDb('casedesk_impacts_total', 'Sent answers found affected by a newer code-set release', () => em().count(Impact, {}));
  const latency: Gauge<'quantile'> = new Gauge({
    name: 'casedesk_intake_to_draft_seconds', help: 'Intake to draft latency over the last 24 hours (quantiles)', labelNames: ['quantile'], registers: [registry],
    async collect() {
      latency.reset();
      const values = await intakeToDraftSeconds(em());
      for (const q of [0.5, 0.9, 0.99]) {
        const v = quantile(values, q);
        if (v !== null) latency.set({ quantile: String(q) }, v);
      }
    },
  });
  const depth: Gauge<'queue' | 'state'> = new Gauge({
    name: 'casedesk_queue_jobs', help: 'BullMQ jobs by queue and state', labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      depth.reset();
      for (const [queue, counts] of Object.entries(await ctx.deps.queues.depths())) for (const [state, n] of Object.entries(counts)) depth.set({ queue, state }, n);
    },
  });

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
