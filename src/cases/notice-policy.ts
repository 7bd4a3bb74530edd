/** At most one automatic mail per sender in this window, across every automatic kind. */
export const AUTO_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Outbox kinds that go out without review and carry `Auto-Submitted: auto-replied`. */
export const AUTOMATIC_KINDS = ['received', 'not-subscribed', 'over-quota'] as const;
export type AutomaticKind = (typeof AUTOMATIC_KINDS)[number];

export interface AutoReplyInput {
  /** False for anything the parse stage classified as automatic (auto-reply, out-of-office, bounce, list, our own mail). */
  classificationAnswerable: boolean;
  /** When the last automatic mail (any kind) went to this sender, if ever. */
  lastNoticeToSenderAt: Date | null | undefined;
  now: Date;
}

/**
 * Whether CaseDesk may send an automatic notice (received / not-subscribed / over-quota).
 * Rules, to avoid mail loops and floods (RFC 3834):
 * - never to a message classified as automatic: two auto-responders must not talk to each other;
 * - at most one automatic mail per sender per 24 hours, whatever its kind, so a sender who writes
 *   ten times in an hour gets one notice. A clock that went backwards (last notice "in the
 *   future") counts as inside the window.
 */
export function mayAutoReply(input: AutoReplyInput): boolean {
  if (!input.classificationAnswerable) return false;
  if (!input.lastNoticeToSenderAt) return true;
  const elapsed = input.now.getTime() - input.lastNoticeToSenderAt.getTime();
  return elapsed >= AUTO_REPLY_WINDOW_MS;
}
