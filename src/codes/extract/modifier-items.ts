import { AMBIGUOUS_STANDALONE, ANATOMY, ENGLISH_TWO_LETTER, LOCATION_MODIFIERS, NUMERIC_MODIFIERS, STANDALONE_LETTER_MODIFIERS } from './lexicon.ts';
import { isRegexSpace } from './context.ts';

/**
 * What a modifier item is and how a list of them is read: shared by the rules that find
 * modifiers (modifiers.ts) and those that read them from context (modifier-context.ts).
 */

export type Add = (start: number, written: string, code: string, attachedTo?: string) => void;

/** `97110 GP`, `64721 rt`: a familiar letter modifier written after a code with a space. */
export function isSpacedModifier(s: string): boolean {
  const u = s.toUpperCase();
  if (AMBIGUOUS_STANDALONE.has(u) || ENGLISH_TWO_LETTER.has(u)) return false;
  return STANDALONE_LETTER_MODIFIERS.has(u) || LOCATION_MODIFIERS.has(u);
}

/** A two-character suffix after a code's hyphen: a modifier unless it is a word or not one. */
export function isAttachable(s: string): boolean {
  if (isTwoDigits(s)) return NUMERIC_MODIFIERS.has(s);
  const u = s.toUpperCase();
  if (s === u) return !ENGLISH_TWO_LETTER.has(u) || STANDALONE_LETTER_MODIFIERS.has(u);
  return (STANDALONE_LETTER_MODIFIERS.has(u) && !AMBIGUOUS_STANDALONE.has(u)) || LOCATION_MODIFIERS.has(u);
}

/** Whether an item in a modifier context ("modifier __", "append __") is a modifier. */
export function isModifierItem(s: string, strict: boolean): boolean {
  if (isTwoDigits(s)) return NUMERIC_MODIFIERS.has(s);
  const u = s.toUpperCase();
  if (!/^(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])$/.test(u)) return false;
  const known = STANDALONE_LETTER_MODIFIERS.has(u) || LOCATION_MODIFIERS.has(u);
  if (strict) return known;
  if (s !== u) return known; // lower case only for the familiar ones ("with lt")
  return known || !ENGLISH_TWO_LETTER.has(u);
}

export const ITEM = /^(-?\s?)([A-Za-z0-9]{2})(?![A-Za-z0-9])/;

export const SEPARATOR = /^['"”’)]*\s*(?:,|\/|&|\+|\band\b|\bor\b|\bvs\b\.?|\bversus\b|\bplus\b|\bthen\b)?\s*['"“‘(]*/i;

export const NOT_AFTER_ITEM =
  /^\s*(?:%|\d|\.\d|[:/,]\d|mg|mcg|ml|cc|units?\b|minutes?\b|mins?\b|seconds?\b|years?\b|yrs?\b|yo\b|y\/o|days?\b|weeks?\b|months?\b|visits?\b|hours?\b|hrs?\b|percent\b|patients?\b|pts\b|people\b|claims?\b|codes?\b|cases?\b|times\b|dollars\b|pages?\b|lines?\b|sessions?\b|miles?\b|lbs?\b|kg\b|cm\b|mm\b|sq\b|degrees?\b|am\b|pm\b)/i;

/** Parse `item (sep item)*` from `at`; returns how many items were taken. */
export function parseList(text: string, at: number, strict: boolean, add: Add, numbersOk = true): number {
  let count = 0;
  let pos = at;
  for (;;) {
    if (!mayBeItem(text, pos)) break; // (ITEM cannot match: skip the slice and the regex)
    const rest = text.slice(pos, pos + 24);
    const m = ITEM.exec(rest);
    if (!m) break;
    const item = m[2]!;
    if (!isModifierItem(item, strict)) break;
    if (/^\d/.test(item) && !numbersOk) break;
    const end = pos + m[0].length;
    // (`RT codes`, `the LT line`: a letter modifier spoken of as a code or a claim line.)
    if (NOT_AFTER_ITEM.test(text.slice(end, end + 12)) && !(/^[A-Za-z]/.test(item) && /^\s*(?:codes?|lines?)\b/i.test(text.slice(end, end + 8)))) break;
    if (/^(?:RT|LT)$/i.test(item) && followedByAnatomy(text, end)) break;
    add(pos + m[1]!.length, item, item.toUpperCase());
    count++;
    const sep = SEPARATOR.exec(text.slice(end, end + 16))!;
    if (sep[0] === '') break;
    // Only blanks between two items: the next must not be a lower-case word (`26 as well`).
    if (sep[0].trim() === '' && /^[a-z]{2}\b/.test(text.slice(end + sep[0].length, end + sep[0].length + 3))) break;
    pos = end + sep[0].length;
  }
  return count;
}

export const ANATOMY_AFTER = new RegExp(`^\\s*(?:side\\s+)?(?:${ANATOMY})\\b`, 'i');

export function followedByAnatomy(text: string, at: number): boolean {
  return ANATOMY_AFTER.test(text.slice(at, at + 24));
}

export function isAlnumOrHyphen(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `/^\d{2}$/` without a regex. */
export function isTwoDigits(s: string): boolean {
  return s.length === 2 && isDigit(s.charCodeAt(0)) && isDigit(s.charCodeAt(1));
}

/**
 * Whether ITEM can match at `pos`: an optional `-` and one blank, then exactly two letters or
 * digits (the regex has no other way to match, its optional parts being neither).
 */
export function mayBeItem(text: string, pos: number): boolean {
  let q = pos;
  if (text.charCodeAt(q) === 45) q++;
  if (isRegexSpace(text.charCodeAt(q))) q++;
  return isAlnumCode(text.charCodeAt(q)) && isAlnumCode(text.charCodeAt(q + 1)) && !isAlnumCode(text.charCodeAt(q + 2));
}

export function isAlnumCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
