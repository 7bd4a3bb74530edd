import type { Candidate } from './types.ts';

/**
 * Contact details: phone and fax numbers, street addresses, email addresses.
 *
 * - Phone: a North American number written with separators (`(404) 555-0123`, `404-555-0123`,
 *   `404.555.0123`, `404/555-0123`, `404 555 0123`, `+1 404 555 0123`, `1-800-555-0199`), area code and exchange
 *   starting 2–9, with its extension (`ext. 204`, `x12`). Ten bare digits or a seven-digit
 *   `555-0123` count only after a phone label ("phone", "ph", "tel", "cell", "fax", "call",
 *   "P:", "F:"), because ten bare digits are as often an NPI or a claim number. A number right
 *   after a claim, reference, authorization or ticket label is not a phone number.
 * - Address: a house number, one to four capitalised words and a street type (`123 Main St`,
 *   `4500 N. Peachtree Industrial Blvd`), with a unit (`Apt 4B`, `Suite 200`, `#12`) and the city,
 *   state and ZIP when they follow (also on the next line). After an address label ("address:",
 *   "lives at") the rest of the line counts when it holds a digit (PO boxes, rural routes).
 * - Email: every address except the sender's own (compared case-insensitively).
 */
export function findContacts(text: string, options: { senderAddress?: string | null } = {}): Candidate[] {
  return [...findPhones(text), ...findAddresses(text), ...findEmails(text, options.senderAddress ?? null)];
}

const EXT = String.raw`(?:\s*,?\s*(?:ext\.?|extension|x|#)\s*\d{1,6}(?!\d))?`;
const PHONE = new RegExp(
  String.raw`(?<![\w+#$/.-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ ./-])[2-9]\d{2}[ .-]\d{4}(?![\d-]|\.\d|\/\d)${EXT}`,
  'gi',
);
const PHONE_LABEL =
  /(?:\b(?:phone|ph|tel|telephone|cell|cellphone|mobile|fax|facsimile|call(?:\s*back)?|callback|cb|contact\s+(?:number|no\.?))\b|\bcontact\s*#|\b[PFCMT](?=\s*:)|\b(?:his|her|their|my|mom'?s|dad'?s|mother'?s|father'?s|wife'?s|husband'?s)\s+(?:#|number\b|cell\b|phone\b))\.?(?:\s*(?:#|:|=|\bno\b\.?|\bnumber\b|\bis\b|\bat\b|-(?!\d)))*\s*/gi;
const BARE_PHONE = new RegExp(String.raw`(?:[2-9]\d{9}|[2-9]\d{2}[ .-]\d{4})(?![\d-])${EXT}`, 'iy');
const NOT_A_PHONE_BEFORE =
  /\b(?:claim|icn|dcn|tcn|reference|ref|authorization|auth|ticket|case|invoice|confirmation|tracking|order|batch|check|eft|trace|tax\s*id|tin|ein|npi|ptan|policy|member|group|account|acct|mrn|id)\b[\s#:.=-]*(?:(?:no|number|id)\b[\s#:.=-]*)?$/i;

function findPhones(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(PHONE)) {
    if (NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length, labelled: false, priority: 6 });
  }
  for (const label of text.matchAll(PHONE_LABEL)) {
    const pos = label.index + label[0].length;
    BARE_PHONE.lastIndex = pos;
    const m = BARE_PHONE.exec(text);
    if (m) out.push({ kind: 'phone', start: pos, end: pos + m[0].length, labelled: true, priority: 8 });
  }
  return out;
}

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|Circle|Cir|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Pike|Alley|Crescent|Run|Path|Ridge|Plaza|Plz|Expressway|Expy|Turnpike|Cove|Crossing|Heights|Hts)';
const DIR = '(?:[NSEW]\\.?|North|South|East|West|NE|NW|SE|SW|N\\.E\\.|N\\.W\\.|S\\.E\\.|S\\.W\\.)';
const WORD = "(?:[A-Z][A-Za-z'.-]*|\\d{1,3}(?:st|nd|rd|th))";
const UNIT = String.raw`(?:,?[ \t]*(?:Apt|Apartment|Unit|Suite|Ste|Bldg|Building|Fl|Floor|Rm|Room|Lot|Space|#)\.?[ \t]*#?[ \t]*[A-Za-z0-9-]{1,6}(?![A-Za-z0-9]))?`;
const STATES =
  'A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR|GU|VI|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming';
const CITY = String.raw`(?:,?[ \t]*\n?[ \t]*[A-Z][A-Za-z.'-]+(?:[ \t]+[A-Z][A-Za-z.'-]+){0,2},?[ \t]+(?:${STATES})\.?(?:[ \t]+\d{5}(?:-\d{4})?)?(?![\w-]))?`;
const STREET = new RegExp(
  String.raw`(?<![\w$#./-])\d{1,6}[A-Z]?(?:-\d{1,4})?[ \t]+(?:${DIR}[ \t]+)?${WORD}(?:[ \t]+${WORD}){0,3}?[ \t]+${SUFFIX}\b\.?(?:[ \t]+${DIR}(?![\w]))?${UNIT}${CITY}`,
  'g',
);
const ADDRESS_LABEL =
  /(?<!e-?mail\s|ip\s|web\s|mailing\s+list\s)\b(?:(?:home|mailing|street|patient'?s?|pt'?s?|current|new|old)\s+)?(?:address|addr)\b\.?\s*(?::|-|=|\bis\b)(?:\s*(?:is|:|-|=))*\s*|\b(?:lives|living|resides|residing|moved)\s+(?:at|to)\s+/gi;

function findAddresses(text: string): Candidate[] {
  const out: Candidate[] = [];
  const streetStarts = new Set<number>();
  for (const m of text.matchAll(STREET)) {
    streetStarts.add(m.index);
    out.push({ kind: 'address', start: m.index, end: m.index + m[0].length, labelled: false, priority: 6 });
  }
  for (const label of text.matchAll(ADDRESS_LABEL)) {
    const pos = label.index + label[0].length;
    if (streetStarts.has(pos)) continue; // the street reading knows where the address ends
    const line = /[^\n]{0,120}/y;
    line.lastIndex = pos;
    const rest = line.exec(text)?.[0] ?? '';
    // Up to the end of the line or of the sentence, whichever comes first.
    const value = rest.replace(/(?:\.\s+[A-Z]|[;!?]|\s+-\s|\s+(?:but|and|or|because|since|so|when|where|which|who)\s).*$/, '').replace(/[\s.,;:]+$/, '');
    if (/\d/.test(value) && !/@/.test(value)) out.push({ kind: 'address', start: pos, end: pos + value.length, labelled: true, priority: 7 });
  }
  return out;
}

const EMAIL = /(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])/g;

function findEmails(text: string, sender: string | null): Candidate[] {
  const own = sender?.trim().toLowerCase() ?? null;
  const out: Candidate[] = [];
  for (const m of text.matchAll(EMAIL)) {
    if (own && m[0].toLowerCase() === own) continue;
    out.push({ kind: 'email', start: m.index, end: m.index + m[0].length, labelled: false, priority: 7 });
  }
  return out;
}
