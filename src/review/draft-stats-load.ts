import type { EntityManager } from '@mikro-orm/core';
import { Draft } from '../drafts/draft.entity.ts';
import { ValidationError } from '../shared/errors.ts';
import { draftStats, type DraftStats } from './draft-stats.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The edit figures of the drafts created on or after `since` (`YYYY-MM-DD`, UTC), or of all drafts. */
export async function loadDraftStats(em: EntityManager, options: { since?: string | null } = {}): Promise<DraftStats> {
  const since = options.since ?? null;
  if (since !== null && !(ISO_DATE.test(since) && !Number.isNaN(Date.parse(`${since}T00:00:00Z`)))) throw new ValidationError(`--since "${since}" is not a date (YYYY-MM-DD)`);
  const where = since ? { createdAt: { $gte: new Date(`${since}T00:00:00Z`) } } : {};
  const drafts = await em.find(Draft, where, { fields: ['id', 'state', 'intents', 'suggestedAnswer', 'approvedUnchanged', 'editDistance'] });
  return draftStats(
    drafts.map((d) => ({ state: d.state, intents: d.intents ?? [], suggested: d.suggestedAnswer != null, approvedUnchanged: d.approvedUnchanged ?? null, editDistance: d.editDistance ?? null })),
    since,
  );
}
