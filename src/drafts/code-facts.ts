/**
 * The port through which the evidence core reads the code database. The draft stage binds it to
 * the code database's lookup functions (src/codes/) and one EntityManager; unit tests pass a
 * plain fake. Dates are ISO `YYYY-MM-DD` strings going in; dates coming back may be strings or
 * `Date`s (the evidence core normalises them to `YYYY-MM-DD`).
 */

/** A date as the code database may return it. */
export type DateLike = string | Date;

/** One imported code-set release (ICD-10-CM FY2025, HCPCS 2025-01, NCCI PTP 2025-Q1, …). */
export interface CodeRelease {
  /** `icd10cm`, `icd10pcs`, `hcpcs`, `cpt`, `ncci-ptp` (or `ncci`), `mue`, … */
  system: string;
  /** As published: `FY2025`, `2025-01`, `2025-Q1`. */
  version: string;
  effectiveDate: DateLike;
}

export type LookupSystem = 'icd10cm' | 'icd10pcs' | 'hcpcs' | 'cpt' | 'modifier' | 'unknown';
/** `unchecked`: a CPT code while no CPT release is loaded, so its validity was not checked. */
export type LookupStatus = 'valid' | 'ended' | 'not-yet-valid' | 'unknown' | 'unchecked';

/** The category the extractor put a code in; a hint for the lookup (`25` is a modifier, not a code). */
export type ExtractedKind = 'cpt' | 'hcpcs' | 'icd10cm' | 'icd10pcs' | 'modifier';

export interface CodeRef {
  code: string;
  description: string;
}

/** What the code database knows about one code as of a date. */
export interface CodeLookup {
  input: string;
  system: LookupSystem;
  /** Normal form; dotted for ICD-10-CM. */
  code: string;
  status: LookupStatus;
  shortDescription?: string | null;
  longDescription?: string | null;
  /** The consultants' plain-language description, when one was written. */
  plainLanguage?: string | null;
  billable?: boolean | null;
  header?: boolean | null;
  /** Billable codes under a header code (possibly capped, see childCount). */
  children?: CodeRef[] | null;
  /** How many billable codes there are under a header when `children` is capped. */
  childCount?: number | null;
  release?: CodeRelease | null;
  endDate?: DateLike | null;
  /** Nearest known codes, for an unknown code. */
  closest?: CodeRef[] | null;
  /** For CPT codes and modifiers: whether the descriptor comes from a licensed AMA data file. */
  licensed?: boolean | null;
  /** An unchecked CPT code: the NCCI PTP / MUE releases in force that list it. */
  listedIn?: ('ncci' | 'mue')[] | null;
}

export type ModifierIndicator = '0' | '1' | '9';

/** One NCCI procedure-to-procedure edit in force on the date asked about. */
export interface NcciEdit {
  column1: string;
  column2: string;
  effectiveDate: DateLike;
  /** The first day the edit no longer applies. */
  deletionDate?: DateLike | null;
  /** Whether the edit applies on the date asked; an edit listed but not in force is reported as such. Default true. */
  active?: boolean | null;
  modifierIndicator: ModifierIndicator;
  meaning?: string | null;
  rationale?: string | null;
  release?: CodeRelease | null;
}

/** One Medically Unlikely Edit. */
export interface MueLimit {
  code: string;
  value: number;
  adjudicationIndicator: string | number;
  adjudicationMeaning?: string | null;
  rationale?: string | null;
  release?: CodeRelease | null;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * The code database, bound to one database connection. Implemented by the draft stage with the
 * code database's `lookupCode`, `findNcciEdit`, `findMue` and `releasesInForce`.
 */
export interface CodeFacts {
  /** Look one code up as of `date`; `kind` is how the extractor classified it (a hint, may be ignored). */
  lookupCode(code: string, options: { date: string; kind?: ExtractedKind }): MaybePromise<CodeLookup>;
  /** The PTP edit between two procedure codes in force on `date`, whichever is column 1; null when none. */
  findNcciEdit(a: string, b: string, options: { date: string }): MaybePromise<NcciEdit | null>;
  /** The MUE for a procedure code in force on `date`; null when none. */
  findMue(code: string, options: { date: string }): MaybePromise<MueLimit | null>;
  /** Every code-set release in force on `date`. */
  releasesInForce(date: string): MaybePromise<CodeRelease[]>;
}
