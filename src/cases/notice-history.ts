import type { EntityManager } from '@mikro-orm/core';
import type { NoticeCounts } from '../mail/auth/index.ts';
import { Outbox } from './outbox.entity.ts';
import { AUTOMATIC_KINDS } from './notice-policy.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function addressesOf(address: string): string[] {
  return [...new Set([address.trim(), address.trim().toLowerCase()])];
}

/** When the newest outbox row of these kinds to `address` was written (any state: a queued or failed one counts too). */
async function lastNoticeAt(em: EntityManager, address: string, kinds: readonly string[]): Promise<Date | null> {
  const last = await em.findOne(
    Outbox,
    { toAddress: { $in: addressesOf(address) }, kind: { $in: [...kinds] as Outbox['kind'][] } },
    { orderBy: { createdAt: 'desc' }, fields: ['id', 'createdAt'] },
  );
  return last?.createdAt ?? null;
}

/**
 * When the last automatic notice (any kind, any state: a queued or failed one counts too, so a
 * retry storm cannot slip past the limit) was written for `address`; the input of `mayAutoReply`.
 */
export async function lastAutoNoticeAt(em: EntityManager, address: string): Promise<Date | null> {
  return lastNoticeAt(em, address, AUTOMATIC_KINDS);
}

/** The domain part of an address, lower case ('' when there is none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim().toLowerCase();
}

/**
 * What `decideNotice` (src/mail/auth/sender-policy.ts) needs to know about the notices already
 * written: to the sender's domain in the last hour (any automatic kind), `received` to the sender
 * in the last 24 hours, and the last notice and the last refusal to the sender.
 */
export async function noticeCounts(em: EntityManager, address: string, now: Date): Promise<NoticeCounts> {
  const domain = domainOf(address);
  const automatic = { $in: [...AUTOMATIC_KINDS] as Outbox['kind'][] };
  // One after another: inside the filing transaction, on one connection.
  const noticesToDomainLastHour = domain === '' ? 0 : await em.count(Outbox, { toAddress: { $like: `%@${domain}` }, kind: automatic, createdAt: { $gt: new Date(now.getTime() - HOUR_MS) } });
  const acksToSenderLast24h = await em.count(Outbox, { toAddress: { $in: addressesOf(address) }, kind: 'received', createdAt: { $gt: new Date(now.getTime() - DAY_MS) } });
  const lastNoticeToSenderAt = await lastAutoNoticeAt(em, address);
  const lastRefusalToSenderAt = await lastNoticeAt(em, address, ['not-subscribed', 'over-quota']);
  return { noticesToDomainLastHour, acksToSenderLast24h, lastNoticeToSenderAt, lastRefusalToSenderAt };
}
