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
  const kept = dropProtected(candidates, findProtectedSpans(source), source.length);
  return resolveOverlaps(kept, source.length).map((c) => ({ kind: c.kind, start: c.start, end: c.end, text: source.slice(c.start, c.end) }));
}

/**
 * Step 1, linear in the text: the positions each kind of protected span covers, then one look
 * at each candidate's positions (candidates and protected spans are short).
 */
function dropProtected(candidates: Candidate[], protectedSpans: ProtectedSpan[], length: number): Candidate[] {
  const FIXED = 1;
  const OVERRIDABLE = 2;
  const cover = new Uint8Array(length + 1);
  for (const p of protectedSpans) {
    if (!p.strong) continue;
    const bit = p.overridable ? OVERRIDABLE : FIXED;
    for (let i = p.start; i < p.end; i++) cover[i]! |= bit;
  }
  return candidates.filter((c) => {
    const veto = c.labelled ? FIXED : FIXED | OVERRIDABLE;
    for (let i = c.start; i < c.end; i++) if (cover[i]! & veto) return false;
    return true;
  });
}

/** Step 2: best first (priority, then length), each taken when none of its positions is taken yet. */
function resolveOverlaps(candidates: Candidate[], length: number): Candidate[] {
  const ranked = [...candidates].sort((a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(length + 1);
  const chosen: Candidate[] = [];
  for (const c of ranked) {
    let free = true;
    for (let i = c.start; i < c.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, c.start, c.end);
    chosen.push(c);
  }
  return chosen.sort((a, b) => a.start - b.start);
}
