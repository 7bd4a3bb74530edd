import type { EntityManager } from '@mikro-orm/core';
import type { BounceReport } from '../mail/parse-stage.ts';
import { clip } from '../shared/clip.ts';
import { normalizeMessageId } from '../shared/message-id.ts';
import { Outbox } from './outbox.entity.ts';

/**
 * A bounce that returns one of our replies marks that outbox row `bounced` with status and
 * diagnostic (the review page shows it). Only a failure bounces the reply: a delay warning
 * means it may still arrive. Returns the ids of the rows marked; the caller flushes.
 */
export async function markBounces(em: EntityManager, bounce: BounceReport | null): Promise<number[]> {
  if (!bounce || (bounce.action && bounce.action !== 'failed')) return [];
  const ids = bounce.returnedMessageIds.map((id) => normalizeMessageId(id)).filter((id): id is string => id !== null);
  if (ids.length === 0) return [];
  const rows = await em.find(Outbox, { messageId: { $in: ids.flatMap((id) => [id, id.toLowerCase()]) } });
  for (const row of rows) {
    row.state = 'bounced';
    row.bounceStatus = clip(bounce.status, 32);
    row.bounceDiagnostic = bounce.diagnostic;
  }
  return rows.map((r) => r.id);
}
