import { describe, expect, it } from 'vitest';
import { decideNotice, readHeaderFields, readSpamVerdict, routeInbound, type NoticeCounts, type NoticeInput } from '../../../../src/mail/auth/index.ts';

const NOW = new Date('2025-03-03T12:00:00Z');
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);
const none: NoticeCounts = { noticesToDomainLastHour: 0, acksToSenderLast24h: 0, lastNoticeToSenderAt: null, lastRefusalToSenderAt: null };

type Row = [string, Partial<Omit<NoticeInput, 'counts'>> & { counts?: Partial<NoticeCounts> }, string];

const decide = (row: Row[1]): string => {
  const d = decideNotice({
    mode: 'report',
    verdict: 'verified',
    sender: 'subscriber',
    kind: 'received',
    automatic: false,
    spam: false,
    limits: { domainHourly: 20, ackDailyMax: 20 },
    now: NOW,
    ...row,
    counts: { ...none, ...row.counts },
  });
  return d.action === 'suppress' ? `suppress: ${d.reason}` : d.action;
};

describe('decideNotice', () => {
  const rows: Row[] = [
    // enforce: forged subscriber mail is held (no quota, no notice); forged strangers get nothing
    ['enforce, unverified subscriber, received', { mode: 'enforce', verdict: 'unverified' }, 'hold'],
    ['enforce, unverified subscriber, over-quota', { mode: 'enforce', verdict: 'unverified', kind: 'over-quota' }, 'hold'],
    ['enforce, unverified stranger', { mode: 'enforce', verdict: 'unverified', sender: 'stranger', kind: 'not-subscribed' }, 'suppress: unverified-sender'],
    ['enforce, unknown stranger', { mode: 'enforce', verdict: 'unknown', sender: 'stranger', kind: 'not-subscribed' }, 'suppress: unverified-sender'],
    ['enforce, verified stranger', { mode: 'enforce', sender: 'stranger', kind: 'not-subscribed' }, 'send'],
    ['enforce, unknown subscriber flows, old ack rule', { mode: 'enforce', verdict: 'unknown' }, 'send'],
    ['enforce, unknown subscriber, notice earlier today', { mode: 'enforce', verdict: 'unknown', counts: { lastNoticeToSenderAt: hoursAgo(3) } }, 'suppress: one-per-24h'],
    // report: everything flows
    ['report, unverified subscriber flows', { verdict: 'unverified' }, 'send'],
    ['report, unverified stranger still told', { verdict: 'unverified', sender: 'stranger', kind: 'not-subscribed' }, 'send'],
    // acknowledgements: every new case of a verified subscriber, up to ACK_DAILY_MAX
    ['verified subscriber, fifth case today', { counts: { acksToSenderLast24h: 4, lastNoticeToSenderAt: hoursAgo(1) } }, 'send'],
    ['verified subscriber, 20 acks already', { counts: { acksToSenderLast24h: 20 } }, 'suppress: ack-daily-cap'],
    ['verified subscriber in enforce', { mode: 'enforce', counts: { acksToSenderLast24h: 19, lastNoticeToSenderAt: hoursAgo(0.1) } }, 'send'],
    ['unverified subscriber (report): one notice per 24 h', { verdict: 'unverified', counts: { lastNoticeToSenderAt: hoursAgo(23) } }, 'suppress: one-per-24h'],
    ['unverified subscriber (report): after 24 h', { verdict: 'unverified', counts: { lastNoticeToSenderAt: hoursAgo(24) } }, 'send'],
    ['off: verdict ignored, old rule for acks', { mode: 'off', counts: { lastNoticeToSenderAt: hoursAgo(2) } }, 'suppress: one-per-24h'],
    ['off: unverified subscriber not held', { mode: 'off', verdict: 'unverified' }, 'send'],
    // refusals keep the one-per-24-h rule, counted among refusals only
    ['over-quota after acks today', { kind: 'over-quota', counts: { acksToSenderLast24h: 5, lastNoticeToSenderAt: hoursAgo(1) } }, 'send'],
    ['over-quota, refused 3 h ago', { kind: 'over-quota', counts: { lastRefusalToSenderAt: hoursAgo(3) } }, 'suppress: one-per-24h'],
    ['not-subscribed, refused 25 h ago', { kind: 'not-subscribed', sender: 'stranger', counts: { lastRefusalToSenderAt: hoursAgo(25) } }, 'send'],
    ['not-subscribed, clock went backwards', { kind: 'not-subscribed', sender: 'stranger', counts: { lastRefusalToSenderAt: hoursAgo(-2) } }, 'suppress: one-per-24h'],
    // automatic mail, spam, the per-domain cap
    ['automatic mail never acknowledged', { automatic: true }, 'suppress: automatic'],
    ['automatic stranger mail', { automatic: true, sender: 'stranger', kind: 'not-subscribed' }, 'suppress: automatic'],
    ['spam verdict', { spam: true }, 'suppress: spam'],
    ['spam verdict, stranger', { spam: true, sender: 'stranger', kind: 'not-subscribed', verdict: 'unknown' }, 'suppress: spam'],
    ['domain had 20 notices this hour', { counts: { noticesToDomainLastHour: 20 } }, 'suppress: domain-hourly-cap'],
    ['domain had 19 notices this hour', { counts: { noticesToDomainLastHour: 19 } }, 'send'],
    ['domain cap applies to refusals too', { kind: 'not-subscribed', sender: 'stranger', counts: { noticesToDomainLastHour: 25 } }, 'suppress: domain-hourly-cap'],
    ['custom limits', { limits: { domainHourly: 2, ackDailyMax: 3 }, counts: { acksToSenderLast24h: 3 } }, 'suppress: ack-daily-cap'],
  ];
  it.each(rows)('%s', (_name, input, want) => expect(decide(input)).toBe(want));
});

describe('routeInbound', () => {
  const rows: Array<[Parameters<typeof routeInbound>[0], ReturnType<typeof routeInbound>]> = [
    [{ mode: 'off', verdict: 'unverified', sender: 'subscriber' }, { route: 'accept', badge: false }],
    [{ mode: 'report', verdict: 'unverified', sender: 'subscriber' }, { route: 'accept', badge: true }],
    [{ mode: 'report', verdict: 'unknown', sender: 'stranger' }, { route: 'accept', badge: true }],
    [{ mode: 'report', verdict: 'verified', sender: 'subscriber' }, { route: 'accept', badge: false }],
    [{ mode: 'enforce', verdict: 'unverified', sender: 'subscriber' }, { route: 'hold', badge: true }],
    [{ mode: 'enforce', verdict: 'unverified', sender: 'stranger' }, { route: 'accept', badge: true }],
    [{ mode: 'enforce', verdict: 'unknown', sender: 'subscriber' }, { route: 'accept', badge: true }],
    [{ mode: 'enforce', verdict: 'verified', sender: 'subscriber' }, { route: 'accept', badge: false }],
  ];
  it.each(rows)('%o', (input, want) => expect(routeInbound(input)).toEqual(want));
});

describe('readSpamVerdict', () => {
  const spam = (header: string): boolean => readSpamVerdict(readHeaderFields(`${header}\r\nFrom: a@b.example\r\n\r\nx`).fields);
  it.each([
    ['X-Spam-Flag: YES', true],
    ['X-Spam-Flag: NO', false],
    ['X-Spam-Status: Yes, score=9.1 required=5.0', true],
    ['X-Spam-Status: No, score=0.1 required=5.0', false],
    ['X-Spam: Yes', true],
    ['X-Rspamd-Action: add header', true],
    ['X-Rspamd-Action: no action', false],
    ['X-MS-Exchange-Organization-SCL: 6', true],
    ['X-MS-Exchange-Organization-SCL: 1', false],
    ['Subject: spam', false],
  ])('%s', (header, want) => expect(spam(header)).toBe(want));
});
