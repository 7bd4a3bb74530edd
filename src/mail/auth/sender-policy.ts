import type { SenderAuthMode } from './authenticate-sender.ts';
import type { SenderVerdict } from './verdict.ts';

/** The automatic notices CaseDesk sends without review (same names as the outbox kinds). */
export type NoticeKind = 'received' | 'not-subscribed' | 'over-quota';

/** Who the From address is: a subscriber (address or domain subscription) or anyone else. */
export type SenderStatus = 'subscriber' | 'stranger';

export interface RouteInput {
  mode: SenderAuthMode;
  verdict: SenderVerdict;
  sender: SenderStatus;
}

export interface RouteDecision {
  /** `hold`: record the case as held ("unverified sender"): no quota, no draft, no notice; a consultant can release it. */
  route: 'accept' | 'hold';
  /** Show the "unverified sender" badge on the queue and the case. */
  badge: boolean;
}

/**
 * What a message's sender verdict means for its case, by SENDER_AUTH:
 * - `off`: nothing; no badge.
 * - `report`: every message flows as before; a message whose sender is not verified
 *   (unverified or unknown) carries the badge.
 * - `enforce`: an unverified message claiming a subscriber's address is held; everything else
 *   flows, with the badge when not verified. `unknown` is not held: it means CaseDesk could not
 *   tell (no DKIM and no DMARC policy at the sender's domain, a DNS error), and holding it would
 *   hold every message of a subscriber whose domain does not authenticate its mail.
 */
export function routeInbound(input: RouteInput): RouteDecision {
  if (input.mode === 'off') return { route: 'accept', badge: false };
  const badge = input.verdict !== 'verified';
  if (input.mode === 'enforce' && input.verdict === 'unverified' && input.sender === 'subscriber') return { route: 'hold', badge };
  return { route: 'accept', badge };
}

export interface NoticeCounts {
  /** Automatic notices (any kind) sent to the sender's domain in the last hour. */
  noticesToDomainLastHour: number;
  /** `received` acknowledgements sent to this sender in the last 24 hours. */
  acksToSenderLast24h: number;
  /** When the last automatic notice of any kind went to this sender, if ever. */
  lastNoticeToSenderAt: Date | null;
  /** When the last `not-subscribed` or `over-quota` notice went to this sender, if ever. */
  lastRefusalToSenderAt: Date | null;
}

export interface NoticeLimits {
  /** NOTICE_DOMAIN_HOURLY (default 20). */
  domainHourly: number;
  /** ACK_DAILY_MAX (default 20). */
  ackDailyMax: number;
}

export interface NoticeInput extends RouteInput {
  kind: NoticeKind;
  /** The parse stage classified the message as automatic (auto-reply, bounce, list, our own mail). */
  automatic: boolean;
  /** A filter on the receiving side marked it as spam (see readSpamVerdict). */
  spam: boolean;
  counts: NoticeCounts;
  limits: NoticeLimits;
  now: Date;
}

export type SuppressReason = 'automatic' | 'spam' | 'unverified-sender' | 'domain-hourly-cap' | 'ack-daily-cap' | 'one-per-24h';

export type NoticeDecision = { action: 'send' } | { action: 'suppress'; reason: SuppressReason } | { action: 'hold' };

export const NOTICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whether one automatic notice goes out. In this order:
 * 1. a message `routeInbound` holds gets no notice at all (`hold`);
 * 2. never to automatic mail (two auto-responders must not talk to each other, RFC 3834);
 * 3. never to mail a spam filter flagged;
 * 4. in `enforce`, no `not-subscribed` notice to a sender that is not verified: the From address
 *    may be forged, and the notice would be backscatter to an innocent third party;
 * 5. at most NOTICE_DOMAIN_HOURLY notices per sender domain per hour, whatever the kind;
 * 6. `received`: a verified subscriber (modes report and enforce) is acknowledged for every new
 *    case, up to ACK_DAILY_MAX in 24 hours; anyone else keeps the old rule, one automatic notice
 *    of any kind per sender per 24 hours;
 * 7. `not-subscribed` and `over-quota`: at most one of either per sender per 24 hours.
 * A clock that went backwards (a last notice "in the future") counts as inside the window.
 */
export function decideNotice(input: NoticeInput): NoticeDecision {
  if (routeInbound(input).route === 'hold') return { action: 'hold' };
  if (input.automatic) return suppress('automatic');
  if (input.spam) return suppress('spam');
  if (input.mode === 'enforce' && input.kind === 'not-subscribed' && input.verdict !== 'verified') return suppress('unverified-sender');
  if (input.counts.noticesToDomainLastHour >= input.limits.domainHourly) return suppress('domain-hourly-cap');
  if (input.kind === 'received') {
    const verified = input.mode !== 'off' && input.verdict === 'verified' && input.sender === 'subscriber';
    if (verified) return input.counts.acksToSenderLast24h >= input.limits.ackDailyMax ? suppress('ack-daily-cap') : { action: 'send' };
    return withinWindow(input.counts.lastNoticeToSenderAt, input.now) ? suppress('one-per-24h') : { action: 'send' };
  }
  return withinWindow(input.counts.lastRefusalToSenderAt, input.now) ? suppress('one-per-24h') : { action: 'send' };
}

function suppress(reason: SuppressReason): NoticeDecision {
  return { action: 'suppress', reason };
}

function withinWindow(last: Date | null, now: Date): boolean {
  return last !== null && now.getTime() - last.getTime() < NOTICE_WINDOW_MS;
}
