/**
 * Attachments of case messages (issue 19): describe what the coder sent (describe.ts), scan it
 * with clamd (clamd-client.ts), read its text (text-extractor.ts), and decide how the web may
 * serve it (serving-policy.ts).
 */
export { parseClamavUrl, formatClamavAddress, DEFAULT_CLAMD_PORT, type ClamavAddress } from './clamav-url.ts';
export { scanWithClamd, pingClamd, clamdVersion, parseScanReply, type ClamdOptions } from './clamd-client.ts';
export { describeAttachments, describeAttachment, safeFileName, type MailAttachmentPart, type DescribedAttachment } from './describe.ts';
export { TextExtractor, type TextExtractorOptions } from './text-extractor.ts';
export { servingPolicy, contentDisposition, INLINE_IMAGE_TYPES, type ServingDecision, type ServingInput, type ServingMode } from './serving-policy.ts';
export { sniffType, kindOf } from './sniff.ts';
export { attachmentLimitsFromEnv, DEFAULT_ATTACHMENT_LIMITS, DEFAULT_MAX_ATTACHMENT_BYTES, formatBytes, type AttachmentLimits } from './limits.ts';
export type * from './types.ts';
