import type { EntityManager } from '@mikro-orm/core';
import { Case } from '../cases/case.entity.ts';
import { Outbox } from '../cases/outbox.entity.ts';
import { query } from '../codes/sql.ts';
import { Draft } from '../drafts/draft.entity.ts';
import { describeChange, type AffectedFact } from './impact-core.ts';
import { Impact } from './impact.entity.ts';

/** Follow-up states that still leave an impact open (pending, approved not yet sent, failed). */
const OPEN_FOLLOW_UP = ['pending', 'approved', 'failed'];

export interface ImpactView {
  id: number;
  caseId: number;
  caseNumber: string;
  /** The sent answer (draft id) and when it was sent. */
  draftId: number;
  sentAt: string | null;
  release: { id: number; system: string; label: string; effectiveDate: string };
  previousReleaseId: number;
  facts: (AffectedFact & { said: string[] })[];
  followUp: { draftId: number; state: string } | null;
  open: boolean;
}

function isOpen(followUp: { state: string } | null): boolean {
  return followUp === null || OPEN_FOLLOW_UP.includes(followUp.state);
}

async function views(em: EntityManager, rows: Impact[]): Promise<ImpactView[]> {
  const draftIds = [...rows.map((r) => r.draftId), ...rows.map((r) => r.followUpDraftId).filter((id): id is number => id != null)];
  const drafts = new Map((await em.find(Draft, { id: { $in: draftIds } }, { fields: ['id', 'state', 'outboxId'] })).map((d) => [d.id, d]));
  const outboxIds = rows.map((r) => drafts.get(r.draftId)?.outboxId).filter((id): id is number => id != null);
  const sent = new Map((await em.find(Outbox, { id: { $in: outboxIds } }, { fields: ['id', 'sentAt'] })).map((o) => [o.id, o.sentAt]));
  return rows.map((r) => {
    const followUpDraft = r.followUpDraftId ? drafts.get(r.followUpDraftId) : undefined;
    const followUp = followUpDraft ? { draftId: followUpDraft.id, state: followUpDraft.state } : null;
    const outboxId = drafts.get(r.draftId)?.outboxId;
    const sentAt = outboxId ? sent.get(outboxId) : null;
    return {
      id: r.id, caseId: r.caseId, caseNumber: `CD-${r.caseId}`, draftId: r.draftId, sentAt: sentAt ? new Date(sentAt).toISOString() : null,
      release: { id: r.releaseId, system: r.system, label: r.releaseLabel, effectiveDate: r.effectiveDate }, previousReleaseId: r.previousReleaseId,
      facts: r.facts.map((f) => ({ ...f, said: f.changes.map((c) => describeChange(f, c)) })),
      followUp, open: isOpen(followUp),
    };
  });
}

/** The impacts of one release (for `casedesk codes impact`), by case then answer. */
export async function listReleaseImpacts(em: EntityManager, releaseId: number): Promise<ImpactView[]> {
  return views(em, await em.find(Impact, { releaseId }, { orderBy: [{ caseId: 'asc' }, { draftId: 'asc' }] }));
}

/** Impacts for the consultants' page: the open ones (or all), newest release first. */
export async function listImpacts(em: EntityManager, opts: { open?: boolean; limit?: number } = {}): Promise<ImpactView[]> {
  const rows = await em.find(Impact, {}, { orderBy: [{ releaseId: 'desc' }, { caseId: 'asc' }, { draftId: 'asc' }], limit: opts.limit ?? 1000 });
  const all = await views(em, rows);
  return opts.open ? all.filter((v) => v.open) : all;
}

const OPEN_SQL = `from impact i left join draft f on f.id = i.follow_up_draft_id
  where i.follow_up_draft_id is null or f.state in ('pending', 'approved', 'failed')`;

/** How many impacts are open: no follow-up sent (nor rejected by a consultant) yet. */
export async function countOpenImpacts(em: EntityManager): Promise<number> {
  const [row] = await query(em, `select count(*) as n ${OPEN_SQL}`);
  return Number(row?.n ?? 0);
}

/** The cases among these with an open impact (the queue's badge). */
export async function casesWithOpenImpact(em: EntityManager, caseIds: number[]): Promise<Set<number>> {
  if (caseIds.length === 0) return new Set();
  const rows = await query(em, `select distinct i.case_id ${OPEN_SQL}`);
  const wanted = new Set(caseIds);
  return new Set(rows.map((r) => Number(r.case_id)).filter((id) => wanted.has(id)));
}

/** The case subjects and requesters of impacts, for the page. */
export async function casesOf(em: EntityManager, caseIds: number[]): Promise<Map<number, Pick<Case, 'id' | 'subject' | 'requesterEmail'>>> {
  return new Map((await em.find(Case, { id: { $in: caseIds } }, { fields: ['id', 'subject', 'requesterEmail'] })).map((c) => [c.id, c]));
}
