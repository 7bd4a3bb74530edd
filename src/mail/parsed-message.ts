import type { DescribedAttachment } from '../attachments/describe.ts';

/**
 * The parsed form of one inbound message: what the parse stage, the classifier and the
 * extractor read. Produced by the safe parser (off the main event loop, within limits) and
 * plain data only, so it crosses a worker-thread boundary by structured clone.
 */
export interface Address {
  address: string;
  name: string;
}

export interface MessagePart {
  /** Lower-case MIME type without parameters, e.g. `message/delivery-status`. */
  contentType: string;
  /** Full Content-Type header value, parameters included. */
  contentTypeHeader?: string;
  disposition?: string | null;
  filename?: string | null;
  size: number;
  /** Nesting depth: 0 for the top-level entity. */
  depth: number;
  /**
   * Decoded content of small machine-readable parts (delivery-status, rfc822-headers, feedback-report,
   * disposition-notification); for a returned `message/rfc822` part, the header block of the enclosed message.
   */
  content?: string;
  /** Declared charset of the part, when it names one. */
  charset?: string | null;
  /**
   * For a returned `message/rfc822` (or `message/global`) part and a `text/rfc822-headers` part: the
   * header fields of the enclosed message, lower-case name → every value (decoded, unfolded).
   */
  headers?: Record<string, string[]>;
}

export interface ParsedMessage {
  /** Lower-case header name → every value, unfolded, in order of appearance. */
  headers: Record<string, string[]>;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  subject: string;
  /** Date header as ISO string, when parseable. */
  date: string | null;
  /** text/plain body as decoded (empty string when none). */
  text: string;
  /** text/html body as decoded, when present. */
  html: string | null;
  /** Top-level Content-Type header value, parameters included. */
  contentType: string;
  /** Every MIME part, depth-first. */
  parts: MessagePart[];
  /** Visible fallbacks taken while decoding (unknown charset read as latin1, …). */
  warnings: string[];
  /**
   * The message's attachments, described (safe name, sniffed type, size, SHA-256, status) with the
   * content of those within MAX_ATTACHMENT_BYTES; absent when there are none. Content crosses the
   * thread boundary as a Uint8Array.
   */
  attachments?: DescribedAttachment[];
}
