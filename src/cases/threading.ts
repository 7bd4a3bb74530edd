/**
 * Threading policy: which case an inbound message belongs to.
 *
 * 1. In-Reply-To, then References (newest first), against Message-IDs we know (our replies and
 *    earlier messages of a case): the mail client's own threading is the strongest signal.
 * 2. A case tag `[CD-<n>]` in the subject, when that case exists and the sender is the case's
 *    requester (a tag alone must not let a stranger post into someone else's case; colleagues
 *    who reply in the thread are matched by rule 1).
 * 3. Otherwise a new case.
 */
export interface ThreadInput {
  inReplyTo: string | null;
  references: string[];
  subject: string;
  fromAddress: string;
}

export interface ThreadLookups {
  /** Case id of a known message (inbound or outbound) by Message-ID, or null. */
  caseByMessageId(messageId: string): Promise<number | null>;
  /** The requester address of a case, or null when the case does not exist. */
  caseRequester(caseId: number): Promise<string | null>;
}

export type ThreadDecision =
  | { kind: 'existing'; caseId: number; by: 'in-reply-to' | 'references' | 'subject-tag' }
  | { kind: 'new' };

const CASE_TAG = /\[\s*CD-\s*(\d{1,9})\s*\]/gi;

/** Every case number tagged in a subject, in order (`Re: x [CD-12]` → [12]). */
export function caseTagsInSubject(subject: string): number[] {
  return [...subject.matchAll(CASE_TAG)].map((m) => Number(m[1]));
}

export function caseTag(caseId: number): string {
  return `[CD-${caseId}]`;
}

export async function resolveThread(input: ThreadInput, lookups: ThreadLookups): Promise<ThreadDecision> {
  if (input.inReplyTo) {
    const caseId = await lookups.caseByMessageId(input.inReplyTo);
    if (caseId !== null) return { kind: 'existing', caseId, by: 'in-reply-to' };
  }
  for (const ref of [...input.references].reverse()) {
    const caseId = await lookups.caseByMessageId(ref);
    if (caseId !== null) return { kind: 'existing', caseId, by: 'references' };
  }
  for (const caseId of caseTagsInSubject(input.subject)) {
    const requester = await lookups.caseRequester(caseId);
    if (requester && requester.toLowerCase() === input.fromAddress.toLowerCase()) {
      return { kind: 'existing', caseId, by: 'subject-tag' };
    }
  }
  return { kind: 'new' };
}
