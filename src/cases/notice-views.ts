import type { AutomaticKind } from './notice-policy.ts';

/**
 * View models of the automatic notices that intake queues (`received`, `not-subscribed`,
 * `over-quota`). They are declared here, by the stage that decides on them; the reply renderer
 * (src/drafts/render.ts, templates/replies/) renders them next to the drafted replies, whose
 * views extend `BaseView`. Templates compile in strict mode, so every field named here must be
 * present (use null, not undefined, for "none"). Notices carry no code facts.
 */
export interface BaseView {
  /** The sender's display name; null gives a plain "Hello,". */
  greetingName: string | null;
  /** The subject of the coder's message, for the `Re:` line. */
  originalSubject: string;
  /** Signed as, e.g. `CaseDesk` (config MAIL_FROM_NAME). */
  signatureName: string;
}

export interface ReceivedView extends BaseView {
  caseNumber: string;
  /** `within 1 business day` (config REPLY_PROMISE). */
  replyPromise: string;
}

export interface PlanView {
  name: string;
  quota: number;
}

export interface NotSubscribedView extends BaseView {
  /** Plans offered, from config PLANS. */
  plans: PlanView[];
  /** Where to ask about a subscription; null leaves the line out. */
  contact: string | null;
}

export interface OverQuotaView extends BaseView {
  plan: string;
  quota: number;
  used: number;
  /** `YYYY-MM-DD`: the first day of next month (UTC). */
  resetsOn: string;
}

export interface NoticeViews {
  received: ReceivedView;
  'not-subscribed': NotSubscribedView;
  'over-quota': OverQuotaView;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What intake needs to write a notice: the reply renderer, as wired in workers/main.ts. */
export interface NoticeRenderer {
  render<K extends AutomaticKind>(kind: K, view: NoticeViews[K]): RenderedMail;
}
