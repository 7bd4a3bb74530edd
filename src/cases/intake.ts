import type { EntityManager } from '@mikro-orm/core';
import { findSubscriberFor, monthBounds, quotaResetsOn, type Plans } from '../subscribers/subscribers.ts';
import type { Case } from './case.entity.ts';
import { query } from '../shared/db.ts';
import { decideNotice, routeInbound, type NoticeCounts, type NoticeKind, type NoticeLimits, type SenderAuthMode, type SenderStatus } from '../mail/auth/index.ts';
import { redactText } from '../privacy/index.ts';
import type { SenderVerdict } from './case.entity.ts';
import { intakeFigures } from './notice-history.ts';
import { lockIntakes } from './intake-lock.ts';
import type { NoticeRenderer, RenderedMail } from './notice-views.ts';
import type { Outbox } from './outbox.entity.ts';
import { quotaOf, type QuotaDecision } from './quota.ts';

/** What happens to a new human message, decided by the subscription side. */
export interface IntakeDecision {
  /** Whether the inbound question gets a draft for a consultant. */
  wantsDraft: boolean;
  subscriberId?: number | null;
  /** Case state for a new case (a stranger's question is recorded, closed, and not drafted). */
  caseState?: Case['state'];
  /** Why a new case is `held` (with caseState `held`). */
  holdReason?: string | null;
  /** Automatic notices to queue in the same transaction (rendered by the policy). */
  notices?: Array<Pick<Outbox, 'kind' | 'toAddress' | 'subject' | 'text' | 'html' | 'dedupeKey'>>;
}

/** The sender check of one inbound message, as intake needs it (decided once per message in file-inbound.ts). */
export interface IntakeSender {
  /** SENDER_AUTH. */
  mode: SenderAuthMode;
  verdict: SenderVerdict;
  /** A spam filter on the receiving side flagged the message (readSpamVerdict). */
  spam: boolean;
}

export interface IntakeInput {
  fromAddress: string;
  fromName: string | null;
  subject: string;
  isNewCase: boolean;
  caseId: number;
  inboundId: number;
  messageId: string;
  references: string[];
  now: Date;
  /** Without one: not checked (`off`). */
  sender?: IntakeSender;
}

/** Run by src/cases/open-case.ts inside the filing transaction, for every human message. */
export type IntakePolicy = (tx: EntityManager, input: IntakeInput) => Promise<IntakeDecision>;

/** The policy without subscriptions: every message is drafted, nobody gets a notice. */
export const answerEveryone: IntakePolicy = async () => ({ wantsDraft: true });

export interface IntakeOptions {
  renderer: NoticeRenderer;
  plans: Plans;
  replyPromise: string;
  signatureName: string;
  contact: string | null;
  /** NOTICE_DOMAIN_HOURLY and ACK_DAILY_MAX (defaults 20 and 20). */
  limits?: NoticeLimits;
}

type Notices = IntakeDecision['notices'];

const NOT_CHECKED: IntakeSender = { mode: 'off', verdict: 'unknown', spam: false };
export const HOLD_UNVERIFIED = 'unverified sender';

/**
 * The subscription side of intake, run inside the filing transaction for every human message:
 * - a new question from a subscriber within quota: counted (the case carries the subscriber),
 *   drafted, and acknowledged with `received`;
 * - from a subscriber over quota: recorded as a closed case, not counted, `over-quota` notice;
 * - from anyone else: recorded as a closed case, `not-subscribed` notice;
 * - with SENDER_AUTH=enforce, a new question claiming a subscriber's address whose sender failed
 *   authentication: a `held` case (`unverified sender`), not counted, not drafted, no notice,
 *   until a consultant releases it (src/review/release.ts);
 * - a follow-up in an existing case: drafted when the case is a subscriber's (and the sender is
 *   not held), never counted, never acknowledged.
 * Whether each notice goes out is decideNotice's (src/mail/auth/sender-policy.ts): never to spam,
 * no `not-subscribed` backscatter in enforce, a cap per sender domain per hour, `received` for
 * every new case of a verified subscriber up to ACK_DAILY_MAX a day, else one per 24 hours.
 * (Automatic mail never reaches this point: src/cases/file-inbound.ts ignores it first.)
 */
export function createIntakePolicy(options: IntakeOptions): IntakePolicy {
  return async (tx, input) => {
    const sender = input.sender ?? NOT_CHECKED;
    if (!input.isNewCase) {
      const [caseRow] = await query(tx, 'select subscriber_id from cases where id = ?', [input.caseId]);
      if (!caseRow) throw new Error(`case ${input.caseId} does not exist`);
      const status = caseRow.subscriber_id != null ? 'subscriber' : 'stranger';
      return { wantsDraft: status === 'subscriber' && routeInbound({ ...sender, sender: status }).route === 'accept' };
    }
    const { quota, counts } = await readIntake(tx, input, options.plans);
    const status = quota.kind === 'stranger' ? 'stranger' : 'subscriber';
    if (routeInbound({ ...sender, sender: status }).route === 'hold') {
      return { wantsDraft: false, subscriberId: null, caseState: 'held', holdReason: HOLD_UNVERIFIED, notices: [] };
    }
    const base = { greetingName: input.fromName, originalSubject: redactText(input.subject || '(no subject)').text, signatureName: options.signatureName };
    const notice = (kind: NoticeKind, render: () => RenderedMail) => noticeIfAllowed({ input, sender, status, counts, limits: options.limits }, kind, render);
    if (quota.kind === 'stranger') {
      const plans = Object.entries(options.plans).map(([name, q]) => ({ name, quota: q }));
      return {
        wantsDraft: false,
        caseState: 'closed',
        notices: notice('not-subscribed', () => options.renderer.render('not-subscribed', { ...base, plans, contact: options.contact })),
      };
    }
    if (quota.over) {
      const view = { ...base, plan: quota.plan, quota: quota.quota, used: quota.used, resetsOn: quotaResetsOn(input.now) };
      return { wantsDraft: false, caseState: 'closed', notices: notice('over-quota', () => options.renderer.render('over-quota', view)) };
    }
    const view = { ...base, caseNumber: `CD-${input.caseId}`, replyPromise: options.replyPromise };
    return { wantsDraft: true, subscriberId: quota.subscriber.id, notices: notice('received', () => options.renderer.render('received', view)) };
  };
}

/**
 * The subscriber (if any) and everything the decision counts, under the intake locks: the
 * subscriber's, then the sender's (always this order: no deadlock), then one read of the month's
 * usage and the sender's notice history. The locks last until the filing transaction ends, so
 * the next decision for this subscriber or sender sees this one's case and notice.
 */
async function readIntake(tx: EntityManager, input: IntakeInput, plans: Plans): Promise<{ quota: QuotaDecision; counts: NoticeCounts }> {
  const subscriber = await findSubscriberFor(tx, input.fromAddress);
  const locks: Parameters<typeof lockIntakes>[1] = [];
  if (subscriber) locks.push(['subscriber', subscriber.id]);
  if (input.fromAddress) locks.push(['sender', input.fromAddress.trim().toLowerCase()]);
  await lockIntakes(tx, locks);
  const { used, counts } = await intakeFigures(tx, { subscriberId: subscriber?.id ?? null, address: input.fromAddress, month: monthBounds(input.now), now: input.now });
  return { quota: subscriber ? quotaOf(subscriber, used, plans) : { kind: 'stranger' }, counts };
}

interface NoticeContext {
  input: IntakeInput;
  sender: IntakeSender;
  status: SenderStatus;
  counts: NoticeCounts;
  limits?: NoticeLimits;
}

/** One notice of `kind` to the sender, unless decideNotice suppresses it (rendered only when sent). */
function noticeIfAllowed(ctx: NoticeContext, kind: NoticeKind, render: () => RenderedMail): Notices {
  const { input, sender } = ctx;
  if (!input.fromAddress) return [];
  const decision = decideNotice({
    ...sender, sender: ctx.status, kind, automatic: false,
    counts: ctx.counts,
    limits: ctx.limits ?? { domainHourly: 20, ackDailyMax: 20 },
    now: input.now,
  });
  if (decision.action !== 'send') return [];
  const rendered = render();
  return [{ kind, toAddress: input.fromAddress, subject: rendered.subject, text: rendered.text, html: rendered.html, dedupeKey: `notice:${kind}:${input.inboundId}` }];
}
