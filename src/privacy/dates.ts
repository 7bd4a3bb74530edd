/**
 * Reading a written date at a given position, for the date-of-birth detector and the
 * date-of-service protection. Dates are only ever read right after a label or next to an age,
 * so this never scans for dates on its own.
 *
 * Forms (case-insensitive): `3/4/1957`, `03-04-57`, `3.4.1957`, `1957-03-04`, `March 4, 1957`,
 * `Mar. 4th 1957`, `4 March 1957`, `04-Mar-1957`, masked `xx/xx/1957`, `**\/**\/1957`. With
 * `loose` (right after a date-of-birth label) also `03/1957`, `March 1957`, `03041957`
 * (mmddyyyy) and a bare year `1957`: whatever follows "DOB" is a birth date.
 */
export interface ReadDate {
  end: number;
  /** Four-digit year when the date has one (two-digit years are read as 19xx/20xx by age sense). */
  year: number | null;
}

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(?:[0-3]?\\d)(?:st|nd|rd|th)?';
const MASK = '[x*#]{1,2}';

const STRICT_FORMS: RegExp[] = [
  /(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/-])/y,
  new RegExp(`(\\d{1,2}|${MASK})([/.-])(\\d{1,2}|${MASK})\\2(\\d{4}|\\d{2})(?![\\d/]|-\\d)`, 'iy'),
  new RegExp(`${MONTH}\\s*${DAY},?\\s+(\\d{4})(?!\\d)`, 'iy'),
  new RegExp(`${DAY}[\\s-]+${MONTH},?[\\s-]+(\\d{4}|\\d{2})(?!\\d)`, 'iy'),
];
const LOOSE_FORMS: RegExp[] = [
  /(\d{1,2})[/-](\d{4})(?![\d/])/y,
  new RegExp(`${MONTH},?\\s+(\\d{4})(?!\\d)`, 'iy'),
  /(\d{2})(\d{2})(\d{4})(?!\d)/y,
  /((?:19|20)\d{2})(?![\d/-])/y,
];

/** The date written at `pos` (no leading space skipped), or null. */
export function readDateAt(text: string, pos: number, options: { loose?: boolean } = {}): ReadDate | null {
  for (const form of STRICT_FORMS) {
    const found = matchAt(form, text, pos);
    if (found && plausible(found[0])) return { end: pos + found[0].length, year: yearOf(found[0]) };
  }
  if (!options.loose) return null;
  for (const form of LOOSE_FORMS) {
    const found = matchAt(form, text, pos);
    if (found && plausible(found[0])) return { end: pos + found[0].length, year: yearOf(found[0]) };
  }
  return null;
}

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/** A written date whose numbers could be a date: month 1–12, day 1–31 (m/d or d/m order). */
function plausible(written: string): boolean {
  if (/^\d{8}$/.test(written)) {
    const m = +written.slice(0, 2);
    const d = +written.slice(2, 4);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31 && okYear(+written.slice(4));
  }
  const nums = written.match(/\d+/g)?.map(Number) ?? [];
  if (nums.length === 1 && /^\d{4}$/.test(written)) return okYear(nums[0]!);
  if (/^\d{4}-/.test(written)) return okYear(nums[0]!) && inRange(nums[1], 1, 12) && inRange(nums[2], 1, 31);
  const parts = nums.slice(0, -1);
  return parts.every((n) => n >= 1 && n <= 31) && (parts.length < 2 || parts[0]! <= 12 || parts[1]! <= 12);
}

function inRange(n: number | undefined, lo: number, hi: number): boolean {
  return n !== undefined && n >= lo && n <= hi;
}

function okYear(y: number): boolean {
  return y >= 1890 && y <= 2100;
}

/** The four-digit year of a written date, or null (two-digit years are ambiguous). */
function yearOf(written: string): number | null {
  if (/^\d{8}$/.test(written)) return +written.slice(4);
  const m = /(?:^|\D)(\d{4})(?!\d)/.exec(written);
  return m ? +m[1]! : null;
}
