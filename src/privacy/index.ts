export { findPhi, PHI_MAX_TEXT, type FindPhiOptions } from './find-phi.ts';
export { redactPhi, redactText, removedMarker } from './redact.ts';
export { findProtectedSpans, isNpiCheckValid } from './protected-spans.ts';
export { PHI_KINDS, PHI_LABELS, type PhiKind, type PhiSpan } from './types.ts';
