import { ICD_LETTER_CATEGORIES, LOCATION_MODIFIERS, NOT_ICD_TOKENS, STANDALONE_LETTER_MODIFIERS, isHcpcsBlock, isHcpcsOnlyBlock } from './lexicon.ts';

/**
 * What one token can be by its shape alone (EXTRACTION.md, "What a code is"). Context is
 * applied later; this only reads the characters of the token.
 */
export type Shape =
  | { kind: 'cpt'; code: string; units?: number; gluedModifier?: string }
  | { kind: 'hcpcs'; code: string; units?: number; gluedModifier?: string }
  /** Letter + 4 digits, or that plus two letters: HCPCS (maybe with a glued modifier) or undotted ICD-10-CM. */
  | { kind: 'ambiguous'; hcpcs: string; icd: string; gluedModifier?: string; blockIsHcpcs: boolean; icdSuffixLikely: boolean }
  | { kind: 'icd10cm'; code: string; dotted: boolean }
  | { kind: 'icd10pcs'; code: string };

const HCPCS_UNITS = /^([A-V]\d{4})X(\d{1,3})$/;
const LETTER_4 = /^[A-V]\d{4}$/;
const LETTER_4_2 = /^([A-V]\d{4})([A-Z]{2})$/;
const ICD_DOTTED = /^([A-Z]\d[A-Z0-9])\.([A-Z0-9]{1,4})$/;
const ICD_UNDOTTED = /^([A-Z]\d[A-Z0-9])([A-Z0-9]{0,4})$/;
const PCS = /^[0-9BCDFGHX][0-9A-HJ-NP-Z]{6}$/;
/** ICD-10-CM 7th characters after an `X` placeholder (`S5250XA`, `T148XXD`). */
const ICD_PLACEHOLDER_SUFFIX = /^X[A-HJ-NP-S]$/;

/**
 * Classify one token (letters, digits and inner dots, as written) by shape.
 * Returns null for anything that is not a code in any system.
 */
export function classifyShape(written: string): Shape | null {
  const t = hasLowerCase(written) ? written.toUpperCase() : written;
  const n = t.length;
  if (n < 3 || n > 9) return null;
  const first = t.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    // Digit first: only CPT or ICD-10-PCS can read (every other shape starts with a letter).
    const m = matchCpt(t);
    // `97110GP` is CPT + GP; `02703DZ` is ICD-10-PCS (no modifier DZ).
    if (m && !(m.glued && !STANDALONE_LETTER_MODIFIERS.has(m.glued) && !LOCATION_MODIFIERS.has(m.glued))) {
      const shape: Shape = { kind: 'cpt', code: m.code };
      if (m.units) shape.units = Number(m.units);
      if (m.glued) shape.gluedModifier = m.glued;
      return shape;
    }
    if (n === 7 && !isMixedCase(written) && PCS.test(t) && isPcsLike(t)) return { kind: 'icd10pcs', code: t };
    return null;
  }
  // With a dot only the dotted ICD-10-CM shape can read (no other pattern allows a dot).
  if (t.includes('.')) return dottedIcd(t);
  if (/^X\d{4,}$/.test(t)) return null; // `x20610`: a phone extension, not an X-code (those need a 7th character)
  if (written[0] === 'x' && /^x\d{1,3}$/.test(written)) return null; // `x12`: units (`88305 x12`)

  let m = HCPCS_UNITS.exec(t);
  if (m) return { kind: 'hcpcs', code: m[1]!, units: Number(m[2]) };
  if (LETTER_4.test(t)) {
    if (isHcpcsOnlyBlock(t.slice(0, 3))) return { kind: 'hcpcs', code: t }; // `L3908`: no ICD-10-CM category L39
    return { kind: 'ambiguous', hcpcs: t, icd: dot(t), blockIsHcpcs: isHcpcsBlock(t.slice(0, 3)), icdSuffixLikely: false };
  }
  m = LETTER_4_2.exec(t);
  if (m) {
    const base = m[1]!;
    const suffix = m[2]!;
    if (isHcpcsOnlyBlock(t.slice(0, 3))) return { kind: 'hcpcs', code: base, gluedModifier: suffix };
    return {
      kind: 'ambiguous',
      hcpcs: base,
      icd: dot(t),
      gluedModifier: suffix,
      blockIsHcpcs: isHcpcsBlock(t.slice(0, 3)),
      icdSuffixLikely: ICD_PLACEHOLDER_SUFFIX.test(suffix),
    };
  }
  const mixedCase = isMixedCase(written);
  if (n === 7 && !mixedCase && PCS.test(t) && isPcsLike(t)) return { kind: 'icd10pcs', code: t };
  m = ICD_UNDOTTED.exec(t);
  if (m) {
    const category = m[1]!;
    const rest = m[2]!;
    if (!icdCategoryOk(category)) return null;
    if (NOT_ICD_TOKENS.has(t) || mixedCase) return null;
    if (!undottedTailOk(rest)) return null;
    if (category[0] === 'V' && /^\d{0,2}$/.test(rest)) return null; // `V28` (HCC model), ICD-9 `V726`
    // LCD (L33318) and article (A52465) IDs are letter + 5 digits; ICD-10-CM L codes of that
    // shape are infections and ulcers (L03115, L89154, L97412).
    if (/^\d{5}$/.test(t.slice(1)) && (t[0] === 'A' || (t[0] === 'L' && /^[1-7]/.test(t[1]!)))) return null;
    if (rest.length > 0 && /X$/.test(rest)) return null; // `M545X`: a family
    return { kind: 'icd10cm', code: dot(t), dotted: false };
  }
  return null;
}

/** Dotted ICD-10-CM (`M54.50`), or null: `t` is upper case and has a dot. */
function dottedIcd(t: string): Shape | null {
  const m = ICD_DOTTED.exec(t);
  if (!m) return null;
  const category = m[1]!;
  const rest = m[2]!;
  if (!icdCategoryOk(category)) return null;
  if (/^X+$/.test(rest)) return null; // `M54.x`, `E11.xx`: a family, not a code
  if (category[0] === 'V' && /^\d{1,2}$/.test(rest)) return null; // ICD-9 V code (`V72.6`)
  return { kind: 'icd10cm', code: t, dotted: true };
}

/**
 * The CPT regex (`^(\d{5}|\d{4}[FT])(?:X(\d{1,3})|([A-Z]{2}|[A-Z]\d|\d[A-Z]))?$`) by hand, for
 * the hot path (no match array): the code, the units digits after `X`, or a glued two-character
 * suffix.
 */
function matchCpt(t: string): { code: string; units: string; glued: string } | null {
  const n = t.length;
  if (n < 5 || n > 9) return null;
  for (let i = 0; i < 4; i++) if (!isDigitCode(t.charCodeAt(i))) return null;
  const c4 = t.charCodeAt(4);
  if (!isDigitCode(c4) && c4 !== 70 /* F */ && c4 !== 84 /* T */) return null;
  const code = t.slice(0, 5);
  if (n === 5) return { code, units: '', glued: '' };
  if (t.charCodeAt(5) === 88 /* X */ && n >= 7 && n <= 9) {
    let digits = true;
    for (let i = 6; i < n; i++) if (!isDigitCode(t.charCodeAt(i))) digits = false;
    if (digits) return { code, units: t.slice(6), glued: '' };
  }
  if (n === 7) {
    const a = t.charCodeAt(5);
    const b = t.charCodeAt(6);
    const aLetter = a >= 65 && a <= 90;
    const bLetter = b >= 65 && b <= 90;
    if ((aLetter && (bLetter || isDigitCode(b))) || (isDigitCode(a) && bLetter)) return { code, units: '', glued: t.slice(5) };
  }
  return null;
}

/** Whether `s` has a character `toUpperCase` would change (ASCII a–z, or anything non-ASCII). */
function hasLowerCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c >= 128) return true;
  }
  return false;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isMixedCase(written: string): boolean {
  return /[a-z]/.test(written) && /[A-Z]/.test(written);
}

/**
 * After the category, ICD-10-CM has digits and `X` placeholders, with a letter only as the
 * last (7th) character or as the 5th in a few subcategories (`M80.0AXA`). So `S5250XA`,
 * `M5450`, `S52501A` read as codes; `X89VZ0`, `R505MXC`, `C66F` do not.
 */
function undottedTailOk(rest: string): boolean {
  if (rest.length === 0) return true;
  if (rest.length === 1) return rest >= '0' && rest <= '9';
  for (let i = 0; i < rest.length - 1; i++) {
    const c = rest[i]!;
    if ((c >= '0' && c <= '9') || c === 'X' || (i === 1 && c === 'A')) continue;
    return false;
  }
  return true;
}

function icdCategoryOk(category: string): boolean {
  const third = category[2]!;
  if (third >= 'A' && third <= 'Z') return ICD_LETTER_CATEGORIES.has(category);
  return true;
}

/** A PCS code starting with a digit, or a letter-section code that cannot be ICD-10-CM. */
function isPcsLike(t: string): boolean {
  if (!/[A-Z]/.test(t)) return false; // seven digits: a phone or an account number
  if (!/\d/.test(t)) return false; // seven letters: a word (`BUNDLED`)
  if (/^\d{2,}[A-Z]{3,}$/.test(t)) return false; // a number with a unit: `7200RPM`, `128MDDR`
  if (/(.)\1{4}/.test(t)) return false; // `8AAAAAA`
  if (/^\d/.test(t)) return /[A-Z]/.test(t.slice(1));
  // Letter first: ICD-10-CM never has `Z` after the first character and needs a digit second.
  return !/^[A-Z]\d/.test(t) || /Z/.test(t.slice(1));
}

/** Undotted ICD-10-CM to its normal dotted form: `M5450` → `M54.50`. */
export function dot(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}
