import { STATE_ABBREVIATIONS, STATE_NAMES } from './lexicon.ts';

/**
 * Context rules that turn a code-shaped token into something else (EXTRACTION.md, "Not billing
 * codes"): phone extensions, ZIP codes, PO boxes and street numbers, claim/ticket/invoice and
 * other identifiers, money, doses and counts, percentages, NDC/LOINC/ZIP+4 digit groups,
 * ICD-9, LCD/article, revenue and adjustment-reason codes. Each rule reads only a short window
 * around the token, so the whole pass stays linear.
 */

/** Words after which a token is an identifier, not a code: `ticket #20551`, `invoice A1234`. */
const ID_STRONG =
  /\b(?:tickets?|tkt|invoices?|inv|p\.?\s?o\.?|purchase order|member|mbr|subscriber|account|acct|a\/c|ref|reference|confirmation|conf|icn|dcn|tcn|tracking|mrn|eft|batch|ext|extn|extension|zip|zipcode|zip code|box|pobox|suite|ste|room|rm|apt|bldg|npi|tin|ein|ssn|tax\s?id|fax|phone|ph|tel|telephone|cell|mobile|pager|license|dea|ptan|mbi|hicn|sequence|serial|lot)\s*(?:#|no\.?|num(?:ber)?|id|nbr)?\s*[:#.]?\s*#?\s*$/i;
/** Words that make the next token an identifier only with `#`, `no.`, `number` or `id`. */
const ID_WEAK =
  /\b(?:claims?|clm|encounter|visit|patient|pt|order|check|chk|case|request|req|job|file|control|group|grp|policy|chart|auth(?:orization)?|appeal|reference|record|document|doc|report|payment|remit(?:tance)?|voucher|transaction|trans)\s*(?:#|no\.?|num(?:ber)?|id|nbr)\s*[:#.]?\s*$/i;
const BARE_ID = /\bI[Dd]\s*[:#]?\s*$/;
const HASH_BEFORE = /#\s*$/;
const CODE_CUE_BEFORE = /\b(?:cpt|hcpcs|icd(?:-?10)?(?:-?(?:cm|pcs))?|code|codes|dx|px|proc(?:edure)?)\s*(?:code)?\s*#\s*$/i;
const PHONE_EXTENSION = /\d{4}\)?\s*[xX]\.?\s*$/;
const MONEY_BEFORE = /(?:\$|USD|US\$|€|£)\s*$/i;
const ICD9_BEFORE = /\bicd[-\s]?9(?:[-\s]?cm)?\s*(?:codes?|dx)?\s*[:#]?\s*$/i;
const LCD_BEFORE = /\b(?:lcds?|ncds?|lcas?|articles?|billing article)\s*(?:id|#|no\.?|number)?\s*[:#]?\s*$/i;
const NON_CODE_SYSTEM_BEFORE =
  /\b(?:rev(?:enue)?\.?\s*(?:codes?)?|ndc|loinc|carc|rarc|remark(?:\s*codes?)?|reason\s*codes?|denial\s*codes?|adj(?:ustment)?\s*(?:reason\s*)?codes?|group\s*codes?|bill\s*type|tob|condition\s*codes?|occurrence\s*codes?|value\s*codes?|taxonomy|pos|place of service)\s*[:#]?\s*$/i;
const LETTER_HYPHEN_BEFORE = /(?:^|[^A-Za-z0-9])([A-Za-z]+)[-–]\s*$/;
const CODE_WORD = /^(?:cpt|hcpcs|icd|dx|code|codes|px)$/i;
const DIGIT_HYPHEN_BEFORE = /\d\s*[-–]\s*$/;
const STATE_AFTER_COMMA = /,\s*([A-Z]{2})\.?,?\s+$/;
const STATE_BARE = /\b([A-Z]{2})\.?,?\s+$/;
const STATE_NAME_BEFORE = new RegExp(`\\b(?:${STATE_NAMES}),?\\s+$`, 'i');
/** State abbreviations that are also English words or common abbreviations: need `City, ST`. */
const STATE_WORDS = new Set(['OR', 'IN', 'ME', 'OK', 'HI', 'OH', 'PA', 'DE', 'AL', 'MD', 'CO', 'MA', 'ID']);
const UNIT_AFTER =
  /^\s*(?:mg|mcg|µg|ug|ml|mls|cc|iu|meq|mmol|gm|grams?|g|kg|lbs?|mm|cm|inch(?:es)?|miles?|mi|feet|ft|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|steps|kcal|calories|dollars|usd|bucks|per\s?cent|percent|sq|square)\b|^\s*%/i;
/** Count nouns: `15000 claims` is a count, `97110 claims` a code; only round numbers are counts. */
const COUNT_AFTER =
  /^\s*(?:people|patients|pts|claims|denials|visits|encounters|charts|lines|members|lives|providers|rvus?|words|pages|emails|messages|records|accounts|users|employees|procedures|cases)\b/i;
const UNITS_WORD_AFTER = /^\s*(?:units?|u)\b/i;
const STREET_AFTER =
  /^\s+(?:[NSEW]\.?\s+|North\s+|South\s+|East\s+|West\s+)?(?:[A-Z0-9][A-Za-z0-9'.]*\s+){0,4}(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Way|Pkwy|Parkway|Ct|Court|Hwy|Highway|Pl|Place|Cir|Circle|Ter|Terrace|Trl|Trail|Sq|Square|Plaza|Loop|Pike|Expy|Expressway|Fwy|Freeway|Row|Crossing|Xing|Center|Ctr|Building|Bldg|Suite|Ste)\b\.?/;
const ZIP4_AFTER = /^-\d{4}\b/;
const ADDRESS_END_AFTER = /^\s*(?:$|\n|,?\s*(?:USA|United States)\b)/;
const DIGIT_GROUP_AFTER = /^\s*[-–]\s*(\d+)([A-Za-z]*)/;
const THOUSANDS_AFTER = /^,\d{3}\b/;
const URL_OR_MAIL = /:\/\/|www\.|[@=?&]/;

/** Characters of context read on each side of a token. */
const WINDOW = 48;

/**
 * True when the token at [start, end) of `text` is not a billing code because of what
 * surrounds it. `numeric` says whether the token is all digits (or digits + F/T).
 */
export function isNonCodeContext(text: string, start: number, end: number, numeric: boolean): boolean {
  const before = text.slice(Math.max(0, start - WINDOW), start);
  const after = text.slice(end, end + WINDOW);

  if (MONEY_BEFORE.test(before)) return true;
  if (HASH_BEFORE.test(before) && !CODE_CUE_BEFORE.test(before)) return true;
  if (ID_STRONG.test(before) || ID_WEAK.test(before) || BARE_ID.test(before)) return true;
  if (ICD9_BEFORE.test(before) || LCD_BEFORE.test(before) || NON_CODE_SYSTEM_BEFORE.test(before)) return true;
  if (THOUSANDS_AFTER.test(after) || /^\.\d/.test(after) || /^\s*%/.test(after) || /^@/.test(after)) return true;
  const chunk = before.slice(before.search(/\S*$/));
  if (URL_OR_MAIL.test(chunk)) return true; // part of a URL, an address or a query string

  const lh = LETTER_HYPHEN_BEFORE.exec(before);
  if (lh && !CODE_WORD.test(lh[1]!)) return true; // `INV-20551`, `CMS-1500`, `TKT-20551`

  if (numeric) {
    const token = text.slice(start, end);
    if (PHONE_EXTENSION.test(before)) return true;
    if (UNIT_AFTER.test(after)) return true;
    if (COUNT_AFTER.test(after) && /00$/.test(token)) return true; // `15000 claims`
    if (UNITS_WORD_AFTER.test(after) && /(?:000|500)$/.test(token)) return true; // `10000 units`
    if (ZIP4_AFTER.test(after)) return true;
    const comma = STATE_AFTER_COMMA.exec(before);
    if (comma && STATE_ABBREVIATIONS.has(comma[1]!)) return true; // `Austin, TX 78701`
    const bare = STATE_BARE.exec(before);
    if (bare && STATE_ABBREVIATIONS.has(bare[1]!) && !STATE_WORDS.has(bare[1]!) && ADDRESS_END_AFTER.test(after)) return true;
    if (STATE_NAME_BEFORE.test(before)) return true;
    if (STREET_AFTER.test(after)) return true;
    // `0409-48880`: the tail of a digit group that is not a code of a range.
    if (DIGIT_HYPHEN_BEFORE.test(before) && !/(?:^|\D)(?:\d{5}|\d{4}[FT])\s*[-–]\s*$/i.test(before)) return true;
    const group = DIGIT_GROUP_AFTER.exec(after);
    // `78701-1234`, LOINC `14647-2`, NDC `50242-040-62`: a digit group that is neither a
    // two-digit modifier nor another code of a range.
    if (group && group[2] === '' && group[1]!.length !== 2 && group[1]!.length !== 5) return true;
  }
  return false;
}
