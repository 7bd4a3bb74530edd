import type { EntityManager } from '@mikro-orm/core';
import { Case } from '../cases/case.entity.ts';
import type { ReplyRenderer } from '../drafts/render.ts';
import type { IntakeDecision, IntakePolicy } from '../mail/parse-stage.ts';
import { lastAutoNoticeAt } from './notice-history.ts';
import { mayAutoReply, type AutomaticKind } from './notice-policy.ts';
import { quotaDecision, quotaResetsOn, type Plans } from './subscribers.ts';

export interface IntakeOptions {
  renderer: ReplyRenderer;
  plans: Plans;
  replyPromise: string;
  signatureName: string;
  contact: string | null;
}

/**
 * The subscription side of intake, run by the parse stage inside its transaction for every
 * human message:
 * - a new question from a subscriber within quota: counted (the case carries the subscriber),
 *   drafted, and acknowledged with `received`;
 * - from a subscriber over quota: recorded as a closed case, not counted, `over-quota` notice;
 * - from anyone else: recorded as a closed case, `not-subscribed` notice;
 * - a follow-up in an existing case: drafted when the case is a subscriber's, never counted,
 *   never acknowledged.
 * Every notice obeys the loop policy: at most one automatic mail per sender per 24 hours.
 * (Automatic mail never reaches this point: the parse stage ignores it first.)
 */
export function createIntakePolicy(options: IntakeOptions): IntakePolicy {
  return async (tx, input) => {
    const base = { greetingName: input.fromName, originalSubject: input.subject || '(no subject)', signatureName: options.signatureName };
    const caseNumber = `CD-${input.caseId}`;
    if (!input.isNewCase) {
      const caseRow = await tx.findOneOrFail(Case, { id: input.caseId }, { fields: ['subscriberId'] });
      return { wantsDraft: caseRow.subscriberId != null };
    }
    const quota = await quotaDecision(tx, input.fromAddress, input.now, options.plans);
    const notice = async (kind: AutomaticKind, render: () => { subject: string; text: string; html: string }): Promise<IntakeDecision['notices']> => {
      const allowed = mayAutoReply({ classificationAnswerable: true, lastNoticeToSenderAt: await lastAutoNoticeAt(tx as EntityManager, input.fromAddress), now: input.now });
      if (!allowed || !input.fromAddress) return [];
      const rendered = render();
      return [{ kind, toAddress: input.fromAddress, subject: rendered.subject, text: rendered.text, html: rendered.html, dedupeKey: `notice:${kind}:${input.inboundId}` }];
    };
    if (quota.kind === 'stranger') {
      return {
        wantsDraft: false,
        caseState: 'closed',
        notices: await notice('not-subscribed', () =>
          options.renderer.render('not-subscribed', { ...base, plans: Object.entries(options.plans).map(([name, q]) => ({ name, quota: q })), contact: options.contact }),
        ),
      };
    }
    if (quota.over) {
      return {
        wantsDraft: false,
        caseState: 'closed',
        notices: await notice('over-quota', () =>
          options.renderer.render('over-quota', { ...base, plan: quota.plan, quota: quota.quota, used: quota.used, resetsOn: quotaResetsOn(input.now) }),
        ),
      };
    }
    return {
      wantsDraft: true,
      subscriberId: quota.subscriber.id,
      notices: await notice('received', () => options.renderer.render('received', { ...base, caseNumber, replyPromise: options.replyPromise })),
    };
  };
}
