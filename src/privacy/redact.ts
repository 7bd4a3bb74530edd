import { findPhi, type FindPhiOptions } from './find-phi.ts';
import { PHI_LABELS, type PhiKind, type PhiSpan } from './types.ts';

/** The text that stands in for a removed span: `[removed: date of birth]`. */
export function removedMarker(kind: PhiKind): string {
  return `[removed: ${PHI_LABELS[kind]}]`;
}

/**
 * `text` with every span replaced by its marker (`[removed: patient name]`, …). Spans are
 * offsets into `text` (as `findPhi` returns them); spans that overlap an earlier one or fall
 * outside the text are skipped, so stale spans never corrupt the text around them.
 */
export function redactPhi(text: string, spans: readonly Pick<PhiSpan, 'kind' | 'start' | 'end'>[]): string {
  const ordered = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of ordered) {
    if (span.start < at || span.end > text.length || span.end <= span.start) continue;
    out += text.slice(at, span.start) + removedMarker(span.kind);
    at = span.end;
  }
  return out + text.slice(at);
}

/** Find and remove in one step: for drafts, quoted questions and suggested answers. */
export function redactText(text: string, options: FindPhiOptions = {}): { text: string; spans: PhiSpan[] } {
  const spans = findPhi(text, options);
  return { text: redactPhi(text, spans), spans };
}
