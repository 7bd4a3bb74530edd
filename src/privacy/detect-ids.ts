import type { Candidate, PhiKind } from './types.ts';

/**
 * Numbers that identify a patient: SSN, Medicare MBI (and the legacy HICN), member /
 * subscriber / policy IDs, MRN and account numbers. Rules:
 *
 * - SSN: `123-45-6789` anywhere (area 001–899 but not 666, group 01–99, serial 0001–9999), and
 *   after an SSN label also `123456789`, `123 45 6789`, masked `XXX-XX-6789`, and the last four
 *   ("SSN ending 6789", "last 4 of SSN: 6789").
 * - MBI: the CMS format, 11 characters: position 1 digit 1–9; 2, 5, 8, 9 a letter; 3 and 6 a
 *   letter or digit; 4, 7, 10, 11 a digit; letters never S, L, O, I, B, Z. Written with or
 *   without dashes after the 4th and 7th character. Anywhere in upper case; after an MBI or
 *   Medicare label also in lower case or with spaces, and a legacy HICN (9 digits + letter code).
 * - Member, subscriber and policy IDs and MRN / account numbers only after their label, because
 *   their shape alone says nothing (`W123456789`, `00123456`, `H1234-56789`). The value must
 *   hold at least three digits; claim, ticket, invoice, tax and payer IDs are never taken.
 */
export function findIdentifiers(text: string): Candidate[] {
  return [...findSsn(text), ...findMbi(text), ...findLabelledIds(text)];
}

const LETTER = '[AC-HJKMNP-RT-Y]';
const LETTER_OR_DIGIT = '[AC-HJKMNP-RT-Y0-9]';
const MBI_CORE = `[1-9]${LETTER}${LETTER_OR_DIGIT}\\d(-?)${LETTER}${LETTER_OR_DIGIT}\\d\\1${LETTER}{2}\\d{2}`;
const MBI_BARE = new RegExp(`(?<![\\w-])${MBI_CORE}(?![\\w-])`, 'g');
const MBI_SPACED = new RegExp(`[1-9]${LETTER}${LETTER_OR_DIGIT}\\d[-\\s]?${LETTER}${LETTER_OR_DIGIT}\\d[-\\s]?${LETTER}{2}\\d{2}(?![\\w-])`, 'iy');
const HICN = /(?:\d{9}[A-Z]\d?|[A-Z]{1,3}\d{6}(?:\d{3})?)(?![\w-])/iy;
const MEDICARE_LABEL =
  /\b(?:MBI|HICN|HIC\s*(?:#|no\.?|number)|medicare(?:\s*(?:beneficiary\s+)?(?:id(?:entifier)?\b|#|no\b\.?|num(?:ber)?\b|card\b))*)(?![A-Za-z])\s*(?:[:#=]|\bis\b|-)?\s*(?:[:#=]\s*)?/gi;

function findMbi(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(MBI_BARE)) out.push(candidate('mbi', m.index, m.index + m[0].length, false, 6));
  for (const label of text.matchAll(MEDICARE_LABEL)) {
    const pos = label.index + label[0].length;
    const end = stickyEnd(MBI_SPACED, text, pos) ?? stickyEnd(HICN, text, pos);
    if (end !== null) out.push(candidate('mbi', pos, end, true, 9));
  }
  return out;
}

const SSN_BARE = /(?<![\d-])([0-8]\d{2})-(\d{2})-(\d{4})(?![\d-]|\.\d)/g;
const SSN_MASKED = /(?<![\w-])[X*]{3}-[X*]{2}-\d{4}(?![\d-])/gi;
const SSN_LABEL =
  /\b(?:SSN\b|SS\s?#|soc(?:ial)?\.?\s*sec(?:urity)?\b\.?(?:\s*(?:#|no\b\.?|num(?:ber)?\b|card\b))?)(?:\s*(?:#|:|=|\bis\b|-|\bnumber\b|\bending(?:\s+in)?\b|\blast\s*(?:4|four)(?:\s+digits)?\b))*\s*/gi;
const SSN_VALUE = /(?:\d{3}[- ]?\d{2}[- ]?\d{4}|[X*]{3}[- ]?[X*]{2}[- ]?\d{4})(?![\d-])/iy;
const LAST_FOUR = /\d{4}(?![\d-])/y;

function findSsn(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(SSN_BARE)) {
    if (m[1] === '000' || m[1] === '666' || m[2] === '00' || m[3] === '0000') continue;
    out.push(candidate('ssn', m.index, m.index + m[0].length, false, 6));
  }
  for (const m of text.matchAll(SSN_MASKED)) out.push(candidate('ssn', m.index, m.index + m[0].length, false, 6));
  for (const label of text.matchAll(SSN_LABEL)) {
    const pos = label.index + label[0].length;
    let end = stickyEnd(SSN_VALUE, text, pos);
    if (end === null && /last|ending/i.test(text.slice(Math.max(0, label.index - 20), pos))) end = stickyEnd(LAST_FOUR, text, pos);
    if (end !== null) out.push(candidate('ssn', pos, end, true, 9));
  }
  return out;
}

/** A label, then `:`, `#`, `=`, "is", "no." in any mix. */
const SEP = String.raw`(?:\s*(?:[:#=]|\bis\b|\bwas\b|\bno\b\.?|\bnumber\b|-(?!\d)))*\s*`;
const ID_WORD = String.raw`(?:id(?:entification)?|#|no\b\.?|num(?:ber)?|nbr)`;
const MEMBER_LABEL = new RegExp(
  String.raw`\b(?:(?:member|mbr|mem|subscriber|subscr|sub|insured|insurance|ins|beneficiary|bene|recipient|enrollee|cardholder|id\s+card|policy\s*holder|medicaid|medi-cal|mcd)\s*${ID_WORD}|policy(?:\s*${ID_WORD})?|medicaid|medi-cal)(?![A-Za-z])${SEP}`,
  'gi',
);
const MRN_LABEL = new RegExp(
  String.raw`\b(?:MRN|MR\s?#|med(?:ical)?\.?\s*rec(?:ord)?s?\.?\s*${ID_WORD}?|chart\s*${ID_WORD}|(?:patient|pt\.?|guarantor)\s*(?:acct|account)\.?\s*${ID_WORD}?|(?:patient|pt\.?)\s*${ID_WORD}|acct\.?\s*${ID_WORD}?|account\s*${ID_WORD}|(?:encounter|visit|fin|har|csn)\s*${ID_WORD}|FIN|HAR|CSN)(?![A-Za-z])${SEP}`,
  'gi',
);
/** A bare "ID" after a payer-ish word ("BCBS ID", "Aetna ID#"), but never a tax, claim, payer… ID. */
// The word starts a token (not after a letter, digit, `&` or `-`): matched from inside a long
// hyphenated run it would rescan the run at every position (quadratic).
const BARE_ID = new RegExp(String.raw`\b(?:(?<![\w&-])([A-Za-z][\w&-]*\s+))?ID\b${SEP}`, 'g');
const NOT_PATIENT_ID =
  /^(?:tax|claim|case|ticket|npi|payer|payor|provider|group|grp|plan|ptan|tin|ein|reference|ref|transaction|trace|batch|user|login|email|order|invoice|session|message|job|employee|lcd|article|vendor|facility|pin|submitter|receiver|clearinghouse|apple|google|zoom|meeting|caller|check|eft|document|file|tracking|confirmation|authorization|auth|prior|the|an?|my|your|our|their|photo|drivers?|state|medicare|member|subscriber|patient|pt|policy|insurance|ins|chart|visit|encounter|account|acct)$/i;
/** First group of an identifier: optional letters, then a digit and more letters or digits. */
const ID_HEAD = /(?:[A-Z]{1,4}[- ]?)?\d[\dA-Z]*/iy;
const ID_NEXT = /([- ])([\dA-Z]+)/iy;
const MASKED_VALUE = /[X*]{2,}[- ]?\d{2,}(?![\w-])/iy;

function findLabelledIds(text: string): Candidate[] {
  const out: Candidate[] = [];
  const take = (re: RegExp, kind: PhiKind, priority: number, accept?: (m: RegExpMatchArray) => boolean): void => {
    for (const label of text.matchAll(re)) {
      if (accept && !accept(label)) continue;
      const pos = label.index + label[0].length;
      const end = readIdValue(text, pos);
      if (end !== null) out.push(candidate(kind, pos, end, true, priority));
    }
  };
  take(MRN_LABEL, 'mrn', 8);
  take(MEMBER_LABEL, 'member-id', 8);
  take(BARE_ID, 'member-id', 7, (m) => !m[1] || !NOT_PATIENT_ID.test(m[1].trim()));
  return out;
}

/**
 * The end of an identifier value at `pos`: letters, digits and dashes with at least three digits
 * (`W123456789`, `H1234-56789`, `00123456`, masked `XXXX1234`), also digit groups split by single
 * spaces (`123 456 789`). A group joined by a dash must hold a digit; one joined by a space must
 * be digits only, so "W1234567 for the" stops before "for". Null when the value runs into a word.
 */
export function readIdValue(text: string, pos: number): number | null {
  const masked = stickyEnd(MASKED_VALUE, text, pos);
  if (masked !== null) return masked;
  let end = stickyEnd(ID_HEAD, text, pos);
  if (end === null) return null;
  for (let n = 0; n < 5; n++) {
    ID_NEXT.lastIndex = end;
    const m = ID_NEXT.exec(text);
    if (!m || !/\d/.test(m[2]!)) break;
    // A space-joined group is digits only and not the start of a date or a phone number.
    if (m[1] === ' ' && (!/^\d{2,6}$/.test(m[2]!) || /^[/.-]\d/.test(text.slice(end + m[0].length, end + m[0].length + 2)))) break;
    end += m[0].length;
  }
  if ((text.slice(pos, end).match(/\d/g) ?? []).length < 3) return null;
  if (/\w/.test(text[end] ?? '')) return null;
  return end;
}

function stickyEnd(re: RegExp, text: string, pos: number): number | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? pos + m[0].length : null;
}

function candidate(kind: PhiKind, start: number, end: number, labelled: boolean, priority: number): Candidate {
  return { kind, start, end, labelled, priority };
}
