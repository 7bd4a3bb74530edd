import type { EntityManager } from '@mikro-orm/core';
import { quotaResetsOn, type Plans } from '../subscribers/subscribers.ts';
import { Case } from './case.entity.ts';
import { lockIntake } from './intake-lock.ts';
import { lastAutoNoticeAt } from './notice-history.ts';
import { mayAutoReply, type AutomaticKind } from './notice-policy.ts';
import type { NoticeRenderer, RenderedMail } from './notice-views.ts';
import type { Outbox } from './outbox.entity.ts';
import { quotaDecision } from './quota.ts';

/** What happens to a new human message, decided by the subscription side. */
export interface IntakeDecision {
  /** Whether the inbound question gets a draft for a consultant. */
  wantsDraft: boolean;
  subscriberId?: number | null;
  /** Case state for a new case (a stranger's question is recorded, closed, and not drafted). */
  caseState?: Case['state'];
  /** Automatic notices to queue in the same transaction (rendered by the policy). */
  notices?: Array<Pick<Outbox, 'kind' | 'toAddress' | 'subject' | 'text' | 'html' | 'dedupeKey'>>;
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
}

type Notices = IntakeDecision['notices'];

/**
 * The subscription side of intake, run inside the filing transaction for every human message:
 * - a new question from a subscriber within quota: counted (the case carries the subscriber),
 *   drafted, and acknowledged with `received`;
 * - from a subscriber over quota: recorded as a closed case, not counted, `over-quota` notice;
 * - from anyone else: recorded as a closed case, `not-subscribed` notice;
 * - a follow-up in an existing case: drafted when the case is a subscriber's, never counted,
 *   never acknowledged.
 * Every notice obeys the loop policy: at most one automatic mail per sender per 24 hours.
 * (Automatic mail never reaches this point: src/cases/file-inbound.ts ignores it first.)
 */
export function createIntakePolicy(options: IntakeOptions): IntakePolicy {
  return async (tx, input) => {
    if (!input.isNewCase) {
      const caseRow = await tx.findOneOrFail(Case, { id: input.caseId }, { fields: ['subscriberId'] });
      return { wantsDraft: caseRow.subscriberId != null };
    }
    const base = { greetingName: input.fromName, originalSubject: input.subject || '(no subject)', signatureName: options.signatureName };
    const notice = (kind: AutomaticKind, render: () => RenderedMail) => noticeIfAllowed(tx, input, kind, render);
    const quota = await quotaDecision(tx, input.fromAddress, input.now, options.plans);
    if (quota.kind === 'stranger') {
      const plans = Object.entries(options.plans).map(([name, q]) => ({ name, quota: q }));
      return {
        wantsDraft: false,
        caseState: 'closed',
        notices: await notice('not-subscribed', () => options.renderer.render('not-subscribed', { ...base, plans, contact: options.contact })),
      };
    }
    if (quota.over) {
      const view = { ...base, plan: quota.plan, quota: quota.quota, used: quota.used, resetsOn: quotaResetsOn(input.now) };
      return { wantsDraft: false, caseState: 'closed', notices: await notice('over-quota', () => options.renderer.render('over-quota', view)) };
    }
    const view = { ...base, caseNumber: `CD-${input.caseId}`, replyPromise: options.replyPromise };
    return { wantsDraft: true, subscriberId: quota.subscriber.id, notices: await notice('received', () => options.renderer.render('received', view)) };
  };
}

/** One notice of `kind` to the sender, unless the loop policy forbids it (rendered only when sent). */
async function noticeIfAllowed(tx: EntityManager, input: IntakeInput, kind: AutomaticKind, render: () => RenderedMail): Promise<Notices> {
  if (!input.fromAddress) return [];
  // One decision per sender at a time: the notice this transaction writes is seen by the next.
  await lockIntake(tx, 'sender', input.fromAddress.trim().toLowerCase());
  const allowed = mayAutoReply({ classificationAnswerable: true, lastNoticeToSenderAt: await lastAutoNoticeAt(tx, input.fromAddress), now: input.now });
  if (!allowed) return [];
  const rendered = render();
  return [{ kind, toAddress: input.fromAddress, subject: rendered.subject, text: rendered.text, html: rendered.html, dedupeKey: `notice:${kind}:${input.inboundId}` }];
}
