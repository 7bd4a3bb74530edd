/** What one message's parse is given and gives back (shared by the pool, src/mail/safe-parse.ts, and the parse itself, src/mail/parse-worker.ts). */
import type { ParsedMessage } from './parsed-message.ts';

/** Limits for one message; the first four come from config (MAX_MESSAGE_BYTES, PARSE_TIMEOUT_MS, …). */
export interface ParseLimits {
  maxBytes: number;
  timeoutMs: number;
  maxDepth: number;
  maxParts: number;
  /** Largest header block of any entity, in bytes (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Largest attachment kept, in bytes (MAX_ATTACHMENT_BYTES; default 15 MB): a larger one is listed as over the limit. */
  maxAttachmentBytes?: number;
}

export type QuarantineCode = 'too-large' | 'too-deep' | 'too-many-parts' | 'timeout' | 'header-too-large' | 'unparseable';

export type SafeParseResult =
  | { ok: true; message: ParsedMessage }
  | { ok: false; reason: string; code: QuarantineCode };
