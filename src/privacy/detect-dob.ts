import { readDateAt } from './dates.ts';
import type { Candidate } from './types.ts';

/**
 * Dates of birth. A date is a birth date only when something says so, because a coder's
 * message is full of other dates (of service, of denial, of the claim):
 *
 * - after a birth label: "DOB", "D.O.B.", "date of birth", "birthdate", "birth date",
 *   "birthday", "born", "born on" (also "DOB/age", "Age/DOB: 67 / 3/4/1957"); after a DOB label
 *   any date form counts, also `03/1957`, `03041957` and a bare year;
 * - next to an age: "67 y/o, 3/4/1957", "72yo F (04/12/1951)", "age 58 - 1/2/1967",
 *   "3/4/1957 (67 yo)", when the year and the age agree (year + age between 1995 and 2040), so
 *   "67 yo seen 1/15/2025" is a date of service, not a birth date.
 *
 * Unlabelled dates are never marked: a date of service must stay in the reply.
 */
export function findDatesOfBirth(text: string): Candidate[] {
  return [...labelledDob(text), ...ageWithDate(text)];
}

const DOB_LABEL =
  /\b(?:d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s*date|birthdate|birthday|b-?day|born(?:\s+on)?)(?:\s*\/\s*age\b)?(?:\s*(?:[:#=(]|\bis\b|\bwas\b|\bof\b|\bon\b|-(?!\d)))*\s*/gi;
const AGE_FIRST = /\d{1,3}\s*(?:y\/?o|y\.o\.|yrs?|years?(?:\s+old)?)?\s*[/,;-]\s*/y;

function labelledDob(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const label of text.matchAll(DOB_LABEL)) {
    const loose = !/^born/i.test(label[0]);
    let pos = label.index + label[0].length;
    let date = readDateAt(text, pos, { loose });
    if (!date) {
      // "Age/DOB: 67 / 3/4/1957": skip the age.
      AGE_FIRST.lastIndex = pos;
      const age = AGE_FIRST.exec(text);
      if (age) {
        pos += age[0].length;
        date = readDateAt(text, pos, { loose });
      }
    }
    if (date) out.push({ kind: 'dob', start: pos, end: date.end, labelled: true, priority: 9 });
  }
  return out;
}

const AGE =
  /\b(?:age[:\s]+(\d{1,3})|(\d{1,3})\s*-?\s*(?:y\/o|y\.o\.?|yo|yrs?\.?(?:\s+old)?|years?[\s-]+old|yr[\s-]+old|-?year-old)(?![a-z]))(?:\s*(?:[MF]|male|female|man|woman|boy|girl)\b)?/gi;
const AFTER_AGE = /[\s,;:()/-]*(?:(?:dob|d\.o\.b\.?|born)[\s:]*)?/iy;
const DATE_THEN_AGE =
  /(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})\s*[(,;-]\s*(?:age\s*)?(\d{1,3})\s*(?:y\/o|y\.o\.?|yo|yrs?|years?(?:\s+old)?)/gi;

function ageWithDate(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(AGE)) {
    const age = Number(m[1] ?? m[2]);
    AFTER_AGE.lastIndex = m.index + m[0].length;
    const gap = AFTER_AGE.exec(text);
    const pos = m.index + m[0].length + (gap?.[0].length ?? 0);
    const date = readDateAt(text, pos);
    if (date && agrees(text.slice(pos, date.end), date.year, age)) {
      out.push({ kind: 'dob', start: pos, end: date.end, labelled: false, priority: 5 });
    }
  }
  for (const m of text.matchAll(DATE_THEN_AGE)) {
    const date = readDateAt(text, m.index);
    if (date && agrees(text.slice(m.index, date.end), date.year, Number(m[1]))) {
      out.push({ kind: 'dob', start: m.index, end: date.end, labelled: false, priority: 5 });
    }
  }
  return out;
}

/** Whether a birth date in `year` fits a patient aged `age` at a date between 1995 and 2040. */
function agrees(written: string, year: number | null, age: number): boolean {
  const y = year ?? twoDigitYear(written, age);
  if (y === null) return false;
  return y + age >= 1995 && y + age <= 2040;
}

function twoDigitYear(written: string, age: number): number | null {
  const m = /(\d{2})$/.exec(written);
  if (!m) return null;
  const yy = Number(m[1]);
  for (const century of [1900, 2000]) {
    if (century + yy + age >= 1995 && century + yy + age <= 2040) return century + yy;
  }
  return null;
}
