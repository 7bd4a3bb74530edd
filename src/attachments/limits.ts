/** Limits for attachments. The first three come from configuration; the rest are fixed defaults. */
export interface AttachmentLimits {
  /** Largest attachment stored, scanned and read, in bytes (MAX_ATTACHMENT_BYTES, default 15 MB). */
  maxBytes: number;
  /** Time limit for reading one attachment's text, in milliseconds (ATTACHMENT_TEXT_TIMEOUT_MS). */
  textTimeoutMs: number;
  /** Text kept per attachment, in characters (ATTACHMENT_TEXT_MAX_CHARS); the rest is cut, visibly. */
  maxTextChars: number;
  /** Pages of a PDF read at most. */
  maxPdfPages: number;
}

export const DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
  textTimeoutMs: 20_000,
  maxTextChars: 500_000,
  maxPdfPages: 500,
};

/** The attachment limits from validated configuration. */
export function attachmentLimitsFromEnv(env: {
  MAX_ATTACHMENT_BYTES: number;
  ATTACHMENT_TEXT_TIMEOUT_MS: number;
  ATTACHMENT_TEXT_MAX_CHARS: number;
}): AttachmentLimits {
  return {
    ...DEFAULT_ATTACHMENT_LIMITS,
    maxBytes: env.MAX_ATTACHMENT_BYTES,
    textTimeoutMs: env.ATTACHMENT_TEXT_TIMEOUT_MS,
    maxTextChars: env.ATTACHMENT_TEXT_MAX_CHARS,
  };
}

/** `15.7 MB`: sizes in reasons and on the case page (MB = 1024 × 1024 bytes, as the limits are set). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
