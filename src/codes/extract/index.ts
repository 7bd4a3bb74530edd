export { extractCodes, toContractJson } from './extract-codes.ts';
export { extractFromMessage, extractFromRaw, looksLikeRfc5322, readMessage } from './from-message.ts';
export { findDateOfService } from './date-of-service.ts';
export type { CodeHit, CodeSystem, ExtractedCodes, ExtractInput, ExtractOptions } from './types.ts';
