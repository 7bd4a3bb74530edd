import type { EntityManager } from '@mikro-orm/core';
import type { NoticeCounts } from '../mail/auth/index.ts';
import { placeholders, query } from '../codes/sql.ts';
import { rowDate } from '../shared/db.ts';
import { AUTOMATIC_KINDS } from './notice-policy.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function addressesOf(address: string): string[] {
  return [...new Set([address.trim(), address.trim().toLowerCase()])];
}

/** The domain part of an address, lower case ('' when there is none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim().toLowerCase();
}

/**
 * What one intake decision reads, in one statement (one round trip, taken while the filing
 * transaction holds the subscriber's and the sender's intake locks): the subscriber's questions
 * this month (as ./quota.ts `monthlyUsage` counts them) and the sender's notice history (as
 * `noticeCounts`). Without a subscriber, `used` is 0.
 */
export async function intakeFigures(em: EntityManager, input: { subscriberId: number | null; address: string; month: { start: Date; end: Date }; now: Date }): Promise<{ used: number; counts: NoticeCounts }> {
  const addresses = addressesOf(input.address);
  const domain = domainOf(input.address);
  const automatic = [...AUTOMATIC_KINDS];
  const refusals = ['not-subscribed', 'over-quota'];
  const hourAgo = new Date(input.now.getTime() - HOUR_MS);
  const dayAgo = new Date(input.now.getTime() - DAY_MS);
  const sql = `select
    (select count(*) from cases where subscriber_id = ? and opened_at >= ? and opened_at < ?) as used,
    (select count(*) from outbox where to_address like ? and kind in (${placeholders(automatic.length)}) and created_at > ?) as domain_hour,
    (select count(*) from outbox where to_address in (${placeholders(addresses.length)}) and kind = 'received' and created_at > ?) as acks_day,
    (select max(created_at) from outbox where to_address in (${placeholders(addresses.length)}) and kind in (${placeholders(automatic.length)})) as last_notice,
    (select max(created_at) from outbox where to_address in (${placeholders(addresses.length)}) and kind in (${placeholders(refusals.length)})) as last_refusal`;
  const params = [
    input.subscriberId ?? -1, input.month.start, input.month.end,
    `%@${domain}`, ...automatic, hourAgo,
    ...addresses, dayAgo,
    ...addresses, ...automatic,
    ...addresses, ...refusals,
  ];
  const [row] = await query(em, sql, params);
  return {
    used: input.subscriberId == null ? 0 : Number(row.used),
    counts: {
      noticesToDomainLastHour: domain === '' ? 0 : Number(row.domain_hour),
      acksToSenderLast24h: Number(row.acks_day),
      lastNoticeToSenderAt: rowDate(row.last_notice),
      lastRefusalToSenderAt: rowDate(row.last_refusal),
    },
  };
}
