import type { LookupSystem } from './types.ts';

/** Upper case, no dots, dashes or spaces: the stored form of every code. */
export function compactCode(input: string): string {
  return input.trim().toUpperCase().replace(/[.\s-]/g, '');
}

/** ICD-10-CM dotted form: a dot after the category (3 characters) when there is more. */
export function dotIcd10cm(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

const ICD10CM = /^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$|^QA[0-9][0-9A-Z]{0,4}$/;
const ICD10PCS = /^[0-9A-HJ-NP-Z]{7}$/;
const HCPCS = /^[A-V][0-9]{4}$/;
const CPT = /^(?:[0-9]{5}|[0-9]{4}[FTU])$/;
const MODIFIER = /^[0-9A-Z]{2}$/;

/**
 * Systems whose code shape the input fits, most likely first. Shape alone cannot always
 * decide (`M5450` is both an undotted ICD-10-CM code and HCPCS-shaped), so lookups try each
 * candidate against the database. A dot means ICD-10-CM only.
 */
export function candidateSystems(input: string): Exclude<LookupSystem, 'unknown'>[] {
  const raw = input.trim().toUpperCase().replace(/^-/, '');
  const code = compactCode(raw);
  // A dot means ICD-10-CM, and it sits after the 3-character category.
  if (raw.includes('.')) return /^[A-Z0-9]{3}\.[A-Z0-9]{0,4}$/.test(raw.trim()) && ICD10CM.test(code) ? ['icd10cm'] : [];
  const out: Exclude<LookupSystem, 'unknown'>[] = [];
  if (MODIFIER.test(code)) out.push('modifier');
  if (CPT.test(code)) out.push('cpt');
  if (HCPCS.test(code)) out.push('hcpcs');
  if (ICD10CM.test(code)) out.push('icd10cm');
  if (ICD10PCS.test(code)) out.push('icd10pcs');
  return out;
}

/** The code as shown to people: dotted for ICD-10-CM, compact otherwise. */
export function displayCode(system: LookupSystem, code: string): string {
  return system === 'icd10cm' ? dotIcd10cm(code) : code;
}

/** `YYYYMMDD` to `YYYY-MM-DD`; null when blank; undefined when not a real date. */
export function parseYmd(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  if (!/^\d{8}$/.test(v)) return undefined;
  return realDate(Number(v.slice(0, 4)), Number(v.slice(4, 6)), Number(v.slice(6, 8))) ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}` : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year, month, day make a calendar date (Gregorian, year 1 to 9999). Imports check millions of dates: no Date objects. */
function realDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

/** Whether a string is a real calendar date in YYYY-MM-DD form. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return realDate(Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10)));
}

/** The day before a YYYY-MM-DD date. */
export function dayBefore(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Today in UTC, YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
