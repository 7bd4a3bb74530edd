import type { Evidence } from './evidence.ts';

/**
 * View models of the reply templates. Templates compile in strict mode, so every field named
 * here must be present (use null, not undefined, for "none"). Notices carry no code facts.
 */

export type ReplyKind = 'answer' | 'needs-info' | 'received' | 'not-subscribed' | 'over-quota';

/** The line the consultant replaces with the answer; approval should refuse a draft that still has it. */
export const CONSULTANT_ANSWER_MARKER = '[CONSULTANT ANSWER — write here]';

interface BaseView {
  /** The sender's display name; null gives a plain "Hello,". */
  greetingName: string | null;
  /** The subject of the coder's message, for the `Re:` line. */
  originalSubject: string;
  /** Signed as, e.g. `CaseDesk` (config MAIL_FROM_NAME). */
  signatureName: string;
}

export interface RelatedCaseView {
  caseNumber: string;
  /** `YYYY-MM-DD`. */
  date: string;
  subject: string;
}

export interface AnswerView extends BaseView {
  /** `CD-42`. */
  caseNumber: string;
  /** The new text of the question (quoted history and signature removed). */
  question: string;
  evidence: Evidence;
  /**
   * Past approved answers on the same code pair or set (findRelatedCases). For the consultant
   * (review page) only: never rendered into the mail, whose reader must not see other coders'
   * case subjects. Accepted here so the draft stage can hand over one object.
   */
  related?: RelatedCaseView[];
  /** `YYYY-MM-DD`. */
  receivedDate: string;
  /** Defaults to CONSULTANT_ANSWER_MARKER when omitted. */
  consultantAnswerPlaceholder?: string;
}

export interface NeedsInfoView extends BaseView {
  caseNumber: string;
  question: string;
  /** `no-codes`: no billing code found; `ambiguous`: codes found but the question is unclear. */
  reason: 'no-codes' | 'ambiguous';
  receivedDate: string;
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

export interface ReplyViews {
  answer: AnswerView;
  'needs-info': NeedsInfoView;
  received: ReceivedView;
  'not-subscribed': NotSubscribedView;
  'over-quota': OverQuotaView;
}

export interface RenderedReply {
  subject: string;
  text: string;
  html: string;
}
