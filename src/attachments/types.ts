/**
 * The shapes the attachment pieces share: what is listed for each attachment of a case message,
 * what the malware scan found, and what text could be read from it. Plain data only, so every
 * one of them crosses a worker-thread boundary and a JSON column unchanged.
 */

/** Whether the attachment's content is kept: over the size limit or unreadable parts are listed, not stored. */
export type AttachmentStatus = 'ok' | 'over-limit' | 'unreadable';

/** What the content is, from its sniffed type: decides text extraction and how the web serves it. */
export type AttachmentKind = 'pdf' | 'image' | 'svg' | 'docx' | 'text' | 'csv' | 'html' | 'email' | 'other';

export interface AttachmentInfo {
  /** Position among the message's attachments, in MIME order, from 0. */
  index: number;
  /** A safe file name: no folders, control or bidi characters; never empty. */
  name: string;
  /** The Content-Type the sender declared, lower case, without parameters. */
  declaredType: string;
  /** The type the content's bytes show (magic numbers, then a text sniff); `application/octet-stream` when unknown. */
  sniffedType: string;
  kind: AttachmentKind;
  /** Decoded size in bytes. */
  size: number;
  /** SHA-256 of the decoded content, hex; null when there was no content to hash. */
  sha256: string | null;
  disposition: 'attachment' | 'inline';
  /** Part of a multipart/related body (an image the HTML shows, such as a signature logo). */
  related: boolean;
  /** Content-ID without angle brackets, when the part has one. */
  contentId: string | null;
  status: AttachmentStatus;
  /** Why the status is not `ok`, in words for the case page; null when it is. */
  reason: string | null;
}

/** Scan state as stored and shown: `not-scanned` until a scan succeeds. */
export type ScanStatus = 'clean' | 'infected' | 'not-scanned';

/** Why a scan did not happen. */
export type ScanErrorCode = 'unreachable' | 'timeout' | 'connection-lost' | 'size-limit' | 'clamd-error' | 'protocol';

export type ScanResult =
  | { status: 'clean' }
  | { status: 'infected'; signature: string }
  | { status: 'not-scanned'; code: ScanErrorCode; reason: string };

/** Why an attachment has no text although nothing went wrong. */
export type NoTextCode = 'image' | 'unsupported' | 'empty' | 'no-text-layer' | 'not-stored';
/** Why reading an attachment's text failed. */
export type TextFailureCode = 'timeout' | 'memory' | 'too-large' | 'encrypted' | 'broken' | 'worker';

export type TextResult =
  | { status: 'text'; text: string; truncated: boolean; pages: number | null }
  | { status: 'none'; code: NoTextCode; reason: string }
  | { status: 'failed'; code: TextFailureCode; reason: string };
