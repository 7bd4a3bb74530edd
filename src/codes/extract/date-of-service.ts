/**
 * The date of service a message gives ("DOS 01/15/2025", "date of service March 3, 2025",
 * "DOS: 3/3/25", "dos 2025-01-15", "service date 1-15-2025", "DOS 15 Jan 2025"), used by the draft
 * stage to look codes up as of that date. A date written right after one of these labels counts
 * first; without one, a date written right after words that say a service took place then ("seen
 * on 3/4/2026", "a visit on 02/10/2026", "performed on Jan 5, 2026", "services rendered
 * 01/15/2026"). Any other date (of birth, of a denial, of receipt) never counts. The first valid
 * one wins. Returns null when there is none or it is not a real date.
 */
export function findDateOfService(text: string): { date: string; written: string } | null {
  return firstDateAfter(LABEL, text) ?? firstDateAfter(SERVICE_WORDS, text);
}

function firstDateAfter(label: RegExp, text: string): { date: string; written: string } | null {
  label.lastIndex = 0;
  for (let m = label.exec(text); m; m = label.exec(text)) {
    const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 40);
    const found = readDate(rest);
    if (found) return found;
  }
  return null;
}

const LABEL = /\b(?:d\.?o\.?s\b\.?|(?:dates?\s+of\s+service|service\s+dates?|date\s+serviced|visit\s+date|date\s+of\s+visit)\b)\s*(?:was|is|of|on|=)?\s*[:\-–]?\s*(?:on\s+)?/gi;
/** Words after which a date is when the service took place (`seen on`, `visit on`, `performed on`, `rendered`). */
const SERVICE_WORDS = /\b(?:seen|visit(?:ed)?|performed|provided|rendered|treated|furnished|encounter|appointment|procedure|surgery|services?)\s+(?:(?:on|dated)\s+)?(?:the\s+)?/gi;

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/;
const US = /^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})(?!\d)/;
const NAMED = new RegExp(`^${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`, 'i');
const DAY_FIRST = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})(?!\\d)`, 'i');

function readDate(s: string): { date: string; written: string } | null {
  let m = ISO.exec(s);
  if (m) return make(+m[1]!, +m[2]!, +m[3]!, m[0]);
  m = US.exec(s);
  if (m) {
    const y = m[3]!.length === 2 ? 2000 + +m[3]! : +m[3]!;
    return make(y, +m[1]!, +m[2]!, m[0]);
  }
  m = NAMED.exec(s);
  if (m) return make(+m[3]!, monthOf(m[1]!), +m[2]!, m[0]);
  m = DAY_FIRST.exec(s);
  if (m) return make(+m[3]!, monthOf(m[2]!), +m[1]!, m[0]);
  return null;
}

function monthOf(name: string): number {
  return MONTHS[name.toLowerCase().replace('.', '').slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)] ?? 0;
}

function make(y: number, mo: number, d: number, written: string): { date: string; written: string } | null {
  if (mo < 1 || mo > 12 || d < 1 || y < 1900 || y > 2100) return null;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  const date = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { date, written };
}
