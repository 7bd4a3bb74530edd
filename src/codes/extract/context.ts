import { STATE_ABBREVIATIONS, STATE_NAMES } from './lexicon.ts';
import type { TokensBefore } from './tokens-before.ts';

/**
 * Context rules that turn a code-shaped token into something else (EXTRACTION.md, "Not billing
 * codes"): phone extensions, ZIP codes, PO boxes and street numbers, claim/ticket/invoice and
 * other identifiers, money, doses and counts, percentages, NDC/LOINC/ZIP+4 digit groups,
 * ICD-9, LCD/article, revenue and adjustment-reason codes. Each rule reads only a short window
 * around the token, so the whole pass stays linear.
 */

/**
 * Words after which a token is an identifier, not a code: `ticket #20551`, `invoice A1234`,
 * `ext. 20610`, `PO Box 14079`, `NPI 1548293011`.
 */
const ID_STRONG = new Set(
  ('ticket tickets tkt invoice invoices inv po purchase member mbr subscriber account acct ref reference ' +
    'confirmation conf icn dcn tcn tracking mrn eft batch ext extn extension zip zipcode box pobox suite ste ' +
    'room rm apt bldg npi tin ein ssn fax phone ph tel telephone cell mobile pager license dea ptan mbi hicn ' +
    'sequence serial lot id taxid pin building floor port').split(' '),
);
/** Words that make the next token an identifier only with `#`, `no.`, `number` or `id`. */
const ID_WEAK = new Set(
  ('claim claims clm encounter visit patient pt order check chk case request req job file control group grp ' +
    'policy chart auth authorization appeal record document doc report payment remit remittance voucher ' +
    'transaction trans').split(' '),
);
const QUALIFIERS = new Set(['#', ':', '.', 'no', 'number', 'num', 'nbr']);
/** Code systems that are not billing codes, named just before a number. */
const OTHER_SYSTEMS = new Set(
  'ndc loinc carc rarc remark remarks taxonomy tob pos lcd lcds ncd ncds lca article articles rev'.split(' '),
);
/** `<word> code 0450`: revenue, reason, remark, condition… codes. */
const OTHER_CODE_KINDS = new Set(
  'revenue rev reason remark denial group condition occurrence value zip carc rarc adjustment ndc loinc'.split(' '),
);
/** Words after which `#` introduces a code, not an identifier (`CPT #99213`). */
const CODE_WORDS = new Set(['cpt', 'hcpcs', 'icd', 'code', 'codes', 'dx', 'px', 'proc', 'procedure', 'cm', 'pcs', '10']);
const STATE_NAME_SET = new Set(STATE_NAMES.split('|'));
/** First words of two-word state names (`new`, `north`…): only these can start `new york`. */
const STATE_FIRST_WORDS = new Set(STATE_NAMES.split('|').filter((s) => s.includes(' ')).map((s) => s.split(' ')[0]!));
/** Second words of two-word state names (`york`, `carolina`…). */
const STATE_SECOND_WORDS = new Set(STATE_NAMES.split('|').filter((s) => s.includes(' ')).map((s) => s.split(' ')[1]!));
/** State abbreviations that are also English words or common abbreviations: need `City, ST`. */
const STATE_WORDS = new Set(['OR', 'IN', 'ME', 'OK', 'HI', 'OH', 'PA', 'DE', 'AL', 'MD', 'CO', 'MA', 'ID']);
const UNIT_AFTER =
  /^\s*(?:mg|mcg|µg|ug|ml|mls|cc|iu|meq|mmol|gm|grams?|g|kg|lbs?|mm|cm|inch(?:es)?|miles?|mi|feet|ft|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|steps|kcal|calories|dollars|usd|bucks|per\s?cent|percent|sq|square)\b|^\s*%/i;
/** Count nouns: `15000 claims` is a count, `97110 claims` a code; only round numbers are counts. */
const COUNT_AFTER =
  /^\s*(?:people|patients|pts|claims|denials|visits|encounters|charts|lines|members|lives|providers|rvus?|words|pages|emails|messages|records|accounts|users|employees|procedures|cases)\b/i;
const UNITS_WORD_AFTER = /^\s*(?:units?|u)\b/i;
/**
 * Words of counting and quantity that put a number before a count noun (`we gave 12350 flu
 * shots`, `did 10480 cases`, `roughly 15230 patients`): with such a noun after it, the number is
 * a count, not a code (`how many 99213 visits` has no such word).
 */
const COUNT_WORDS_BEFORE = new Set(
  ('gave give given giving administered administer processed process did done saw seen see had handled ' +
    'received submitted sent filed mailed reviewed audited coded vaccinated treated served scheduled completed ' +
    'performed shipped dispensed ran run about around roughly approximately approx nearly almost over under than ' +
    'some total estimated ~ another additional').split(' '),
);
/** A count noun after a number, after at most two other words (`flu shots`, `B12 shots`). */
const COUNT_NOUN_AFTER =
  /^\s+(?:[A-Za-z0-9][\w-]*\s+){0,2}?(?:shots|doses|vaccines|vaccinations|immunizations|injections|infusions|cases|claims|patients|pts|visits|encounters|charts|people|persons|members|lives|tests|procedures|surgeries|appointments|calls|referrals|prescriptions|scripts|orders|kids|children|adults|seniors|employees|denials|lines|records|accounts|boxes|items|transactions|students|residents|admissions|discharges|deliveries|births|screenings|exams|scans|studies|films|x-rays|swabs|kits|bills|statements|letters|emails|messages|faxes)\b/i;
const STREET_AFTER =
  /^\s+(?:[NSEW]\.?\s+|North\s+|South\s+|East\s+|West\s+)?(?:[A-Z0-9][A-Za-z0-9'.]*\s+){0,4}(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Way|Pkwy|Parkway|Ct|Court|Hwy|Highway|Pl|Place|Cir|Circle|Ter|Terrace|Trl|Trail|Sq|Square|Plaza|Loop|Pike|Expy|Expressway|Fwy|Freeway|Row|Crossing|Xing|Center|Ctr|Building|Bldg|Suite|Ste)\b\.?/;
const ZIP4_AFTER = /^-\d{4}\b/;
const ADDRESS_END_AFTER = /^\s*(?:$|\n|,?\s*(?:USA|United States)\b)/;
const DIGIT_GROUP_AFTER = /^\s*[-–]\s*(\d+)([A-Za-z]*)/;
const THOUSANDS_AFTER = /^,\d{3}\b/;

/** Characters of context read after a token. */
const WINDOW = 48;

/**
 * Whether the token sits in a long run of non-blank characters full of symbols: encoded data,
 * tracking strings, ASCII art (`M9]/KYY?'U\72F1N*4374:J'R`). Lists such as `99213/99214/99215`
 * are short or have no such symbols.
 */
export function inGibberish(text: string, start: number, end: number): boolean {
  let a = start;
  while (a > 0 && a > start - 80 && !isBlank(text.charCodeAt(a - 1))) a--;
  let b = end;
  while (b < text.length && b < end + 80 && !isBlank(text.charCodeAt(b))) b++;
  if (b - a <= 30) return false;
  let symbols = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    // Not one of `A-Za-z0-9,./;:()-–`.
    if (!(isAlnum(c) || c === 44 || c === 46 || c === 47 || c === 59 || c === 58 || c === 40 || c === 41 || c === 45 || c === 8211)) symbols++;
  }
  return symbols >= 3;
}

/** {@link inGibberish} over the text's character codes. */
function inGibberishCodes(codes: Uint16Array, start: number, end: number): boolean {
  let a = start;
  while (a > 0 && a > start - 80 && !isBlank(codes[a - 1]!)) a--;
  let b = end;
  while (b < codes.length && b < end + 80 && !isBlank(codes[b]!)) b++;
  if (b - a <= 30) return false;
  let symbols = 0;
  for (let i = a; i < b; i++) {
    const c = codes[i]!;
    // Not one of `A-Za-z0-9,./;:()-–`.
    if (!(isAlnum(c) || c === 44 || c === 46 || c === 47 || c === 59 || c === 58 || c === 40 || c === 41 || c === 45 || c === 8211)) symbols++;
  }
  return symbols >= 3;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 160;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const ALPHA = /^[A-Za-z]+$/;
const DIGITS = /^\d+$/;

/** Whether the tokens before a candidate make it an identifier, another code system, money… */
function isNonCodeBefore(r: TokensBefore, numeric: boolean, glued: boolean, spacedDash = false): boolean {
  // Tokens are read on demand: `r.low(k)` lower-cased, `r.tok(k)` as written, `''` past the last.
  const t0 = r.low(0);
  // Fast path: every rule below needs the nearest token to be one of NEAREST_TOKEN_WORDS, except
  // a state abbreviation in capitals (`TX 78701`) and a two-word state name (`New York 10001`),
  // which need a number after them.
  if (!NEAREST_TOKEN_WORDS.has(t0) && !(numeric && (isStateAbbreviation(r.tok(0)) || (STATE_SECOND_WORDS.has(t0) && STATE_FIRST_WORDS.has(r.low(1)))))) {
    return false;
  }
  const t1 = r.low(1);
  if (t0 === '$' || t0 === '€' || t0 === '£' || t0 === 'usd') return true;
  if (t0 === '#') {
    let k = 1;
    while (r.has(k) && (r.tok(k) === '-' || r.tok(k) === ':')) k++;
    if (!CODE_WORDS.has(r.low(k))) return true; // `ticket #20551`, `#20551`
  }
  // Skip `#`, `:`, `no.`, `number` between a keyword and the token.
  let i = 0;
  let qualified = false;
  while (r.has(i) && QUALIFIERS.has(r.low(i))) {
    if (r.low(i) !== ':' && r.low(i) !== '.') qualified = true; // `claim #`, `claim no.`, not `visit:`
    i++;
  }
  const w = r.low(i);
  const w1 = r.low(i + 1);
  if (ID_STRONG.has(w)) return true;
  if (qualified && ID_WEAK.has(w)) return true;
  // `Ref: case 20551`, `member claim 20551`: a weak word right after an identifier word.
  if (ID_WEAK.has(w) && (ID_STRONG.has(w1) || (w1 === ':' && ID_STRONG.has(r.low(i + 2))))) return true;
  // `paid via check 20551`, `by check 20551`: a payment, not "check 99213".
  if ((w === 'check' || w === 'chk' || w === 'eft') && /^(?:via|by|paper|our|your|their|a|of)$/.test(w1)) return true;
  if (OTHER_SYSTEMS.has(w)) return true;
  if ((w === 'code' || w === 'codes') && OTHER_CODE_KINDS.has(w1)) return true;
  if (w === 'service' && w1 === 'of' && r.low(i + 2) === 'place') return true;
  if (w === 'type' && w1 === 'bill') return true;
  // ICD-9: `ICD-9 V72.6`, `icd9 code 724.2`, `ICD-9-CM`.
  let j = w === 'code' || w === 'codes' || w === 'dx' ? i + 1 : i;
  if (r.low(j) === 'cm' && r.low(j + 1) === '-') j += 2;
  const a = r.low(j);
  if (a === 'icd9' || a === 'icd9cm' || (a === '9' && (r.low(j + 1) === 'icd' || (r.low(j + 1) === '-' && r.low(j + 2) === 'icd')))) return true;

  if (t0 === '-' || t0 === '–') {
    // `INV-20551`, `CMS-1500`, `TKT-20551`; `CPT-99213` is fine.
    if (glued && ALPHA.test(r.tok(1)) && !CODE_WORDS.has(t1)) return true;
    // `0409-48880`: the tail of a digit group that is not the first code of a range (a dash
    // with blanks round it, `DOS 06/02/2025 - 11042`, separates a date from a code).
    if (numeric && !spacedDash && DIGITS.test(r.tok(1)) && r.tok(1).length !== 5) return true;
  }
  if (numeric) {
    // Phone extension `555-0100 x20611`, `(555) 123-4567 x 20610`.
    const xAt = t0 === 'x' ? 1 : t0 === '.' && t1 === 'x' ? 2 : -1;
    if (xAt > 0 && /^(?:\d{4}|\))$/.test(r.tok(xAt))) return true;
    const s0 = r.tok(0);
    // `Austin, TX 78701`; `Boulder CO 80301` ending a line; `Texas 78701`.
    if (isTwoCapitals(s0) && STATE_ABBREVIATIONS.has(s0)) {
      if (t1 === ',') return true;
      if (!STATE_WORDS.has(s0) && ADDRESS_END_AFTER.test(r.after(WINDOW))) return true;
    }
    if (t0 === ',' && isTwoCapitals(r.tok(1)) && STATE_ABBREVIATIONS.has(r.tok(1)) && r.low(2) === ',') return true;
    if (STATE_NAME_SET.has(t0) || (STATE_FIRST_WORDS.has(t1) && STATE_NAME_SET.has(`${t1} ${t0}`))) return true;
  }
  return false;
}

/**
 * Every nearest token (lower-cased) that some rule of {@link isNonCodeBefore} looks at: a
 * candidate after any other token is settled without reading further.
 */
const NEAREST_TOKEN_WORDS = new Set([
  ...ID_STRONG,
  ...ID_WEAK,
  ...QUALIFIERS,
  ...OTHER_SYSTEMS,
  ...STATE_NAME_SET,
  ...['$', '€', '£', 'usd', '#', 'check', 'chk', 'eft', 'code', 'codes', 'dx', 'service', 'type', 'cm', 'icd9', 'icd9cm', '9'],
  ...['-', '–', 'x', '.', ','],
]);

/** `TX`, `CO`: a state abbreviation as written (two capitals). */
function isStateAbbreviation(s: string): boolean {
  return isTwoCapitals(s) && STATE_ABBREVIATIONS.has(s);
}

/** `/^[A-Z]{2}$/` without a regex. */
function isTwoCapitals(s: string): boolean {
  if (s.length !== 2) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

/**
 * Whether a UTF-16 code unit is white space for a JS regex `\s` (ASCII white space, NBSP, the
 * Unicode space separators, line/paragraph separators and the BOM): lets the rules below skip
 * white space without running a regex per character.
 */
export function isRegexSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f ||
    c === 0x3000 || c === 0xfeff
  );
}

/**
 * Whether the first non-blank character after a token could start a word of {@link UNIT_AFTER}
 * (or `%`): a cheap filter so that regex runs only where it can match. Non-ASCII characters
 * (`µg`) always go to the regex.
 */
function mayStartUnit(c: number): boolean {
  if (c >= 128) return true;
  if (c === 37 /* % */) return true;
  const l = c | 32;
  // m(g|cg|l|m…) u(g|sd) c(c|m|al…) i(u|nch) g(m|rams) k(g|cal) l(bs) f(eet|t) s(ec…|q…) h(ours|rs)
  // d(ays|ollars) w(eeks) y(ears|rs) b(ucks) p(er cent|ercent)
  return l >= 97 && l <= 122 && 'mucigklfshdwybp'.includes(String.fromCharCode(l));
}

/**
 * True when the token at [start, end) of `text` is not a billing code because of what
 * surrounds it. `numeric` says whether the token is all digits (or digits + F/T); `codes`
 * holds the UTF-16 code units of `text` (`charCodeAt`), which the rules read instead of the
 * string; `tokens` is the caller's tokenizer (one per scan, reused for every candidate).
 */
export function isNonCodeContext(
  text: string,
  start: number,
  end: number,
  numeric: boolean,
  codes: Uint16Array,
  tokens: TokensBefore,
): boolean {
  // The rules read at most WINDOW characters after the token; the window is cut out (`after`)
  // only when a regex has to run, the rest reads characters in place.
  const limit = Math.min(text.length, end + WINDOW);
  // A hyphen glued to a word before it (`INV-20551`), not a dash between words (`lac - 12032`).
  let h = start - 1;
  while (h >= 0 && (codes[h]! === 32 || codes[h]! === 9)) h--;
  const hc = h > 0 ? codes[h]! : 0;
  const glued = h > 0 && (hc === 45 || hc === 8211) && isAsciiLetter(codes[h - 1]!);
  const spacedDash = h > 0 && (hc === 45 || hc === 8211) && h < start - 1 && (codes[h - 1]! === 32 || codes[h - 1]! === 9);
  tokens.start(text, codes, start, end);
  const before = isNonCodeBefore(tokens, numeric, glued, spacedDash);
  // `we gave 12350 flu shots`, `roughly 15230 patients`: a count (read below, with its noun).
  const countBefore = numeric && !before && COUNT_WORDS_BEFORE.has(tokens.low(0));
  tokens.release();
  if (before) return true;
  const a0 = end < limit ? codes[end]! : NaN;
  // First character after any white space (the regexes below start with `\s*` / `\s+`).
  let p = end;
  while (p < limit && isRegexSpace(codes[p]!)) p++;
  const f = p < limit ? codes[p]! : NaN;
  if (a0 === 44 /* , */ && THOUSANDS_AFTER.test(text.slice(end, limit))) return true;
  if (a0 === 46 /* . */ && end + 1 < limit && isDigit(codes[end + 1]!)) return true;
  if (a0 === 64 /* @ */ || f === 37 /* % */) return true;
  // Part of a URL, an e-mail address or a query string.
  let k = start - 1;
  while (k >= 0 && k > start - 200 && !isRegexSpace(codes[k]!)) k--;
  if (k < start - 1) {
    const chunk = text.slice(k + 1, start);
    if (chunk.includes('://') || chunk.includes('www.') || /[@=?&]/.test(chunk)) return true;
  }
  if (inGibberishCodes(codes, start, end)) return true;

  if (numeric) {
    // Each regex below is tried only when its first character can match (same result, less work).
    if (p < limit && mayStartUnit(f) && UNIT_AFTER.test(text.slice(end, limit))) return true;
    // `15000 claims`: a count only when the token ends in 00.
    if (codes[end - 1]! === 48 && codes[end - 2]! === 48 && COUNT_AFTER.test(text.slice(end, limit))) return true;
    // `10000 units`: ends in 000 or 500.
    const c3 = codes[end - 3]!;
    if (codes[end - 1]! === 48 && codes[end - 2]! === 48 && (c3 === 48 || c3 === 53) && UNITS_WORD_AFTER.test(text.slice(end, limit))) return true;
    if (a0 === 45 && ZIP4_AFTER.test(text.slice(end, limit))) return true;
    if (a0 === 32 && ((f >= 65 && f <= 90) || isDigit(f)) && STREET_AFTER.test(text.slice(end, limit))) return true;
    if (f === 45 || f === 8211) {
      const group = DIGIT_GROUP_AFTER.exec(text.slice(end, limit));
      // `78701-1234`, LOINC `14647-2`, NDC `50242-040-62`: a digit group that is neither a
      // two-digit modifier nor another code of a range. Written with blanks round the dash
      // (`96365   -   1`, an empty table cell then units) only a long group is one.
      const spaced = group !== null && /\s/.test(group[0].slice(0, group[0].length - group[1]!.length - group[2]!.length));
      if (group && group[2] === '' && group[1]!.length !== 2 && group[1]!.length !== 5 && (!spaced || group[1]!.length >= 3)) return true;
    }
    if (countBefore && COUNT_NOUN_AFTER.test(text.slice(end, limit))) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
