import { findContacts } from './detect-contact.ts';
import { findDatesOfBirth } from './detect-dob.ts';
import { findIdentifiers } from './detect-ids.ts';
import { findNames, findNamesAfterIdentifiers } from './detect-names.ts';
import { findProtectedSpans } from './protected-spans.ts';
import type { Candidate, PhiSpan, ProtectedSpan } from './types.ts';

export interface FindPhiOptions {
  /** The sender's own address: the one email address that is not marked. */
  senderAddress?: string | null;
}

/** Text longer than this is read only up to here (a question is far shorter; keeps the guard linear and bounded). */
export const PHI_MAX_TEXT = 512 * 1024;

/**
 * The likely patient identifiers in a text (for a message: its new text, see `extractNewText`),
 * in text order, never overlapping, with offsets into `text` (end exclusive).
 *
 * Pure and synchronous; never throws. Each detector proposes candidates (see detect-*.ts for
 * what each kind covers); then
 * 1. an unlabelled candidate that overlaps a billing code, an NPI or a date of service is dropped
 *    (a phone-shaped number that is really `99213-25`, a street-like run that starts with a code);
 *    a labelled one ("MRN: 12345", "acct # 1234567893") is kept over a code or a number that is
 *    an NPI only by its check digit, because its label says what it is, but never over an NPI
 *    written after "NPI" or a date of service, which are never removed;
 * 2. of overlapping candidates, the higher priority wins (labelled before unlabelled), then the
 *    longer one.
 */
export function findPhi(text: string, options: FindPhiOptions = {}): PhiSpan[] {
  const source = text.length > PHI_MAX_TEXT ? text.slice(0, PHI_MAX_TEXT) : text;
  const identifiers = [...findIdentifiers(source), ...findDatesOfBirth(source)];
  const candidates = [
    ...identifiers,
    ...findNames(source),
    ...findNamesAfterIdentifiers(source, identifiers.filter((c) => c.labelled).map((c) => c.end)),
    ...findContacts(source, { senderAddress: options.senderAddress ?? null }),
  ].filter((c) => c.end > c.start);
  const kept = dropProtected(candidates, findProtectedSpans(source));
  return resolveOverlaps(kept).map((c) => ({ kind: c.kind, start: c.start, end: c.end, text: source.slice(c.start, c.end) }));
}

function dropProtected(candidates: Candidate[], protectedSpans: ProtectedSpan[]): Candidate[] {
  return candidates.filter((c) => {
    for (const p of protectedSpans) {
      if (p.end <= c.start || p.start >= c.end || !p.strong) continue;
      if (!c.labelled || !p.overridable) return false;
    }
    return true;
  });
}

function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  const ranked = [...candidates].sort((a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const chosen: Candidate[] = [];
  for (const c of ranked) {
    if (chosen.some((k) => k.start < c.end && c.start < k.end)) continue;
    chosen.push(c);
  }
  return chosen.sort((a, b) => a.start - b.start);
}
