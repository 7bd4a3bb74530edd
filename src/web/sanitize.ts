import sanitizeHtml from 'sanitize-html';
import type { CodeHit } from '../codes/extract/index.ts';

/**
 * Sanitise an inbound email's HTML for display inside the review page. Allowed: text structure
 * and tables; no script, style, forms, iframes, event handlers or style attributes. Images are
 * replaced by a visible placeholder with their alt text (no remote image is ever fetched: no
 * tracking pixel fires when a consultant opens a case). Links keep http(s)/mailto targets only,
 * open in a new tab with `noopener noreferrer`, and show their target (`data-href`, printed by the
 * page's CSS), so a consultant sees where a link really goes.
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [
      'p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup', 'small', 'blockquote', 'pre', 'code', 'hr',
      'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'a',
    ],
    allowedAttributes: { a: ['href', 'data-href', 'rel', 'target'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
    transformTags: {
      a: (tagName, attribs) => {
        const href = (attribs.href ?? '').trim();
        const safe: Record<string, string> = /^(https?:|mailto:)/i.test(href) ? { href, 'data-href': href, rel: 'noopener noreferrer nofollow', target: '_blank' } : {};
        return { tagName, attribs: safe };
      },
      img: (_tagName, attribs) => ({ tagName: 'span', attribs: { class: 'img-placeholder' }, text: `[image${attribs.alt ? `: ${attribs.alt}` : ''}]` }),
    },
    allowedClasses: { span: ['img-placeholder'] },
  });
}

export interface TextSegment {
  text: string;
  /** Set on a highlighted code mention. */
  code: string | null;
  system: string | null;
  /** Set on a span the PHI guard marked: its label (`date of birth`). */
  phi?: string | null;
}

/**
 * `text` cut into segments, code mentions (`hits`) and marked patient identifiers (`phi`)
 * highlighted; a PHI span wins over a code mention it overlaps. Each segment is escaped by the
 * template like any other segment, so no HTML is ever built from the text here.
 */
export function highlightSegments(
  text: string,
  hits: Pick<CodeHit, 'code' | 'system' | 'start' | 'end'>[],
  phi: { start: number; end: number; label: string }[] = [],
): TextSegment[] {
  const marks = [
    ...phi.map((p) => ({ start: p.start, end: p.end, code: null, system: null, phi: p.label, rank: 0 })),
    ...hits.map((h) => ({ start: h.start, end: h.end, code: h.code, system: h.system, phi: null, rank: 1 })),
  ];
  const sorted = marks.filter((h) => h.start >= 0 && h.end <= text.length && h.end > h.start).sort((a, b) => a.start - b.start || a.rank - b.rank);
  const out: TextSegment[] = [];
  let at = 0;
  for (const h of sorted) {
    if (h.start < at) continue;
    if (h.start > at) out.push({ text: text.slice(at, h.start), code: null, system: null });
    out.push({ text: text.slice(h.start, h.end), code: h.code, system: h.system, ...(h.phi ? { phi: h.phi } : {}) });
    at = h.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), code: null, system: null });
  return out;
}
