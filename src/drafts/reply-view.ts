import type { BaseView, NoticeViews, RenderedMail } from '../cases/notice-views.ts';
import type { Evidence } from './evidence.ts';

/**
 * View models of the reply templates. Templates compile in strict mode, so every field named
 * here must be present (use null, not undefined, for "none"). The drafted replies (`answer`,
 * `needs-info`) are declared here; the automatic notices in src/cases/notice-views.ts, by intake.
 */

export type ReplyKind = 'answer' | 'needs-info' | 'received' | 'not-subscribed' | 'over-quota';

/** The line the consultant replaces with the answer; approval should refuse a draft that still has it. */
export const CONSULTANT_ANSWER_MARKER = '[CONSULTANT ANSWER — write here]';

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
  /** The suggested answer (plain paragraphs): put in place of the marker when given. */
  suggestedAnswer?: string | null;
}

export interface NeedsInfoView extends BaseView {
  caseNumber: string;
  question: string;
  /** `no-codes`: no billing code found; `ambiguous`: codes found but the question is unclear. */
  reason: 'no-codes' | 'ambiguous';
  receivedDate: string;
}

export interface ReplyViews extends NoticeViews {
  answer: AnswerView;
  'needs-info': NeedsInfoView;
}

export type RenderedReply = RenderedMail;
