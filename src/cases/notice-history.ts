import type { EntityManager } from '@mikro-orm/core';
import { Outbox } from './outbox.entity.ts';
import { AUTOMATIC_KINDS } from './notice-policy.ts';

/**
 * When the last automatic notice (any kind, any state: a queued or failed one counts too, so a
 * retry storm cannot slip past the limit) was written for `address`; the input of `mayAutoReply`.
 */
export async function lastAutoNoticeAt(em: EntityManager, address: string): Promise<Date | null> {
  const addresses = [...new Set([address.trim(), address.trim().toLowerCase()])];
  const last = await em.findOne(
    Outbox,
    { toAddress: { $in: addresses }, kind: { $in: [...AUTOMATIC_KINDS] } },
    { orderBy: { createdAt: 'desc' }, fields: ['id', 'createdAt'] },
  );
  return last?.createdAt ?? null;
}
