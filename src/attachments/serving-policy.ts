import type { AttachmentStatus, ScanStatus } from './types.ts';

/** How the web serves an attachment that may be served. */
export type ServingMode = 'inline-image' | 'sandboxed-pdf' | 'download';

export interface ServingInput {
  sniffedType: string;
  status: AttachmentStatus;
  scan: ScanStatus;
  /** The safe name from describeAttachments. */
  name: string;
}

export type ServingDecision =
  | { allowed: true; mode: ServingMode; headers: Record<string, string> }
  | { allowed: false; code: 'infected' | 'not-scanned' | 'not-stored'; reason: string };

/**
 * Raster images browsers draw without running anything. SVG is not here (it can carry script),
 * nor TIFF or HEIC (most browsers would only offer them for download anyway).
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** Headers every attachment response carries: never sniffed into something else, never cached, never embedded elsewhere. */
const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'private, no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/**
 * How an attachment route must answer. Rules, in order:
 *
 * 1. Only stored content is served: an `over-limit` or `unreadable` part has none.
 * 2. An infected attachment is never served (quarantined: listed with its signature only).
 * 3. An attachment that is not scanned yet (clamd was down) is refused until a scan succeeds.
 * 4. Raster images (INLINE_IMAGE_TYPES, by sniffed type) are served inline with the sniffed
 *    Content-Type, never the declared one.
 * 5. PDFs are served inline for the browser's viewer, under CSP `sandbox`: no script of the
 *    app's origin can run in that document.
 * 6. Everything else, HTML and SVG included, is a download: `application/octet-stream` with
 *    `Content-Disposition: attachment`, so the browser never renders it on the app's origin.
 *
 * Every answer also carries `nosniff`, `no-store` and a CSP that forbids active content.
 */
export function servingPolicy(input: ServingInput): ServingDecision {
  if (input.status !== 'ok') {
    return { allowed: false, code: 'not-stored', reason: `the attachment was not stored (${input.status})` };
  }
  if (input.scan === 'infected') {
    return { allowed: false, code: 'infected', reason: 'the malware scan found a virus: the attachment is quarantined and never served' };
  }
  if (input.scan !== 'clean') {
    return { allowed: false, code: 'not-scanned', reason: 'the attachment has not been scanned for malware yet: it can be opened once a scan succeeds' };
  }
  if (INLINE_IMAGE_TYPES.has(input.sniffedType)) {
    return {
      allowed: true,
      mode: 'inline-image',
      headers: {
        ...COMMON_HEADERS,
        'Content-Type': input.sniffedType,
        'Content-Disposition': contentDisposition('inline', input.name),
        'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      },
    };
  }
  if (input.sniffedType === 'application/pdf') {
    return {
      allowed: true,
      mode: 'sandboxed-pdf',
      headers: {
        ...COMMON_HEADERS,
        'Content-Type': 'application/pdf',
        'Content-Disposition': contentDisposition('inline', input.name),
        'Content-Security-Policy': 'sandbox',
      },
    };
  }
  return {
    allowed: true,
    mode: 'download',
    headers: {
      ...COMMON_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition('attachment', input.name),
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  };
}

/**
 * A Content-Disposition value with the name twice: an ASCII fallback in `filename` (quotes,
 * backslashes and non-ASCII replaced) and the exact name in RFC 5987 `filename*`.
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_').replace(/%/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
