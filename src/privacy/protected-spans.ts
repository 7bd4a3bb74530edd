import { extractCodes } from '../codes/extract/index.ts';
import { readDateAt } from './dates.ts';
import type { ProtectedSpan } from './types.ts';

/**
 * What the PHI guard must leave alone, because a consultant needs it to answer: billing codes
 * (every hit of the code extractor, the same one the draft stage uses), NPIs and dates of service.
 *
 * - Codes: the extractor's hits on the text. A modifier standing alone (not attached to a code)
 *   is a weak reading (`GA` in `Macon, GA 31201`, `NE` in an address) and does not veto.
 * - NPIs: ten digits after "NPI" (also "NPI#", "NPIs 1234567893 and 1987654321" on the same
 *   line), and any ten-digit number starting with 1 or 2 whose check digit is right under the
 *   NPI rule (Luhn over the digits prefixed with 80840).
 * - Dates of service: dates right after a service-date label ("DOS", "date of service",
 *   "service date", "seen on", "visit date", "date of surgery", "admit/discharge date", …),
 *   also lists and ranges after one label ("DOS 1/2/2025-1/5/2025", "DOS 1/2, 1/9 and 1/16/25").
 */
export function findProtectedSpans(text: string): ProtectedSpan[] {
  return [...codeSpans(text), ...npiSpans(text), ...dateOfServiceSpans(text)].sort((a, b) => a.start - b.start);
}

function codeSpans(text: string): ProtectedSpan[] {
  return extractCodes({ subject: '', body: text }).hits.map((hit) => ({
    kind: 'code' as const,
    start: hit.start,
    end: hit.end,
    strong: !(hit.system === 'modifier' && hit.attachedTo === undefined),
    overridable: true,
  }));
}

const NPI_LABEL = /\bNPI(?:s|#)?\b[^\n]{0,60}/gi;
const TEN_DIGITS = /(?<![\d-])\d{10}(?![\d-])/g;

function npiSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const label of text.matchAll(NPI_LABEL)) {
    for (const m of label[0].matchAll(TEN_DIGITS)) {
      const start = label.index + m.index;
      out.push({ kind: 'npi', start, end: start + 10, strong: true, overridable: false });
    }
  }
  for (const m of text.matchAll(TEN_DIGITS)) {
    if (isNpiCheckValid(m[0])) out.push({ kind: 'npi', start: m.index, end: m.index + 10, strong: true, overridable: true });
  }
  return out;
}

/** The NPI check digit: Luhn over `80840` + the first nine digits (CMS, NPI standard). */
export function isNpiCheckValid(npi: string): boolean {
  if (!/^[12]\d{9}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const DOS_LABEL =
  /\b(?:d\.?o\.?s\b\.?|dates?\s+of\s+(?:service|visit|surgery|procedure|admission|discharge)|(?:service|visit|encounter|surgery|procedure|admit|admission|discharge|appointment|appt)\s+dates?|date\s+serviced|(?:was\s+)?seen(?:\s+(?:in\s+(?:the\s+)?(?:office|clinic|er|ed)|again|back))?(?:\s+on)?|(?:admitted|discharged|operated|performed|done|visit(?:ed)?|treated)\s+on)\b\s*(?:was|is|of|on|=|:|-|–)?\s*(?:on\s+)?/gi;
const DATE_JOINER = /\s*(?:-|–|—|to|thru|through|until|,|and|&|\/|;)\s*(?:and\s+)?/iy;
const PARTIAL_DATE = /\d{1,2}\/\d{1,2}(?![\d/])/y;

function dateOfServiceSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const label of text.matchAll(DOS_LABEL)) {
    let pos = label.index + label[0].length;
    for (let n = 0; n < 12; n++) {
      const date = readDateAt(text, pos) ?? readPartial(text, pos);
      if (!date) break;
      out.push({ kind: 'dos', start: pos, end: date.end, strong: true, overridable: false });
      DATE_JOINER.lastIndex = date.end;
      const joiner = DATE_JOINER.exec(text);
      if (!joiner) break;
      pos = date.end + joiner[0].length;
    }
  }
  return out;
}

/** `1/9` in a list of service dates ("DOS 1/2, 1/9 and 1/16/25"). */
function readPartial(text: string, pos: number): { end: number } | null {
  PARTIAL_DATE.lastIndex = pos;
  const m = PARTIAL_DATE.exec(text);
  return m ? { end: pos + m[0].length } : null;
}
