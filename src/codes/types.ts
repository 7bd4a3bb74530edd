/** Systems a file can be imported for (the `system` argument of `casedesk codes import`). */
export const IMPORT_SYSTEMS = ['icd10cm', 'hcpcs', 'icd10pcs', 'ncci', 'mue', 'cpt'] as const;
export type ImportSystem = (typeof IMPORT_SYSTEMS)[number];

/** What a looked-up code turned out to be. */
export type LookupSystem = 'icd10cm' | 'icd10pcs' | 'hcpcs' | 'cpt' | 'modifier' | 'unknown';

export interface ReleaseRef {
  system: ImportSystem;
  version: string;
  effectiveDate: string;
}

export interface CodeRef {
  code: string;
  description: string;
}

/** The answer of `lookupCode`. */
export interface CodeLookup {
  input: string;
  system: LookupSystem;
  /** Normal form: upper case, dotted for ICD-10-CM. */
  code: string;
  /**
   * `unchecked`: a well-formed CPT code while no CPT release is loaded; its validity on the date
   * was not checked (say "CPT validity not checked: no CPT release loaded", never "valid").
   */
  status: 'valid' | 'ended' | 'not-yet-valid' | 'unknown' | 'unchecked';
  shortDescription?: string;
  longDescription?: string;
  /** A licensee's consumer-friendly CPT descriptor. */
  consumerDescription?: string;
  /** The consultants' plain-language description. */
  plainLanguage?: string;
  billable?: boolean;
  header?: boolean;
  /** For a header: its billable descendants in the release in force (at most 100, see childCount). */
  children?: CodeRef[];
  childCount?: number;
  /** True when the header row itself came from an older order file (codes-only release in force). */
  headerDerived?: boolean;
  release?: ReleaseRef;
  /** Last day the code is valid (YYYY-MM-DD), when a file or a later release says so. */
  endDate?: string;
  /** First day of validity, when the file says (HCPCS add date). */
  startDate?: string;
  closest?: CodeRef[];
  /** false for CPT (or CPT modifiers) when no CPT file was imported. */
  licensed?: boolean;
  /** Where an unlicensed CPT code is known from (NCCI/MUE releases in force). */
  listedIn?: ('ncci' | 'mue')[];
  /** Other systems the same characters are a code in (e.g. undotted ICD-10-CM vs HCPCS). */
  alsoMatches?: { system: LookupSystem; code: string }[];
}

export interface NcciEdit {
  column1: string;
  column2: string;
  priorTo1996: boolean;
  effectiveDate: string;
  deletionDate: string | null;
  /** Whether the edit applies on the date asked (effective on or before it, not yet deleted). */
  active: boolean;
  modifierIndicator: '0' | '1' | '9';
  meaning: string;
  rationale: string;
  release: ReleaseRef;
}

export interface MueLimit {
  code: string;
  value: number;
  adjudicationIndicator: string;
  adjudicationMeaning: string;
  rationale: string;
  release: ReleaseRef;
}

export interface SearchHit {
  system: LookupSystem;
  code: string;
  description: string;
  score: number;
  header?: boolean;
}

/** Progress of an import, reported every few thousand rows. */
export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rowsRead: number;
  /**
   * `read` while the files are read (bytesRead of totalBytes), `compare` while an NCCI release
   * is compared with the stored one, `write` while its changes are written (done of total rows),
   * `done` at the end. Absent means `read`.
   */
  phase?: 'read' | 'compare' | 'write' | 'done';
  done?: number;
  total?: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** True when the same file (same checksum) was imported before: nothing was done. */
  skipped: boolean;
  release: ReleaseRef & { id: number; layout: string; sourceFile: string; checksum: string };
  rowsRead: number;
  added: number;
  changed: number;
  ended: number;
  /** NCCI rows dropped because the file lists their key twice (the row in force kept). */
  duplicates?: number;
  /** Rejected rows (the first 1,000 listed; rejectedCount has them all). */
  rejected: RejectedRow[];
  rejectedCount: number;
  /** The release the counts compare against, if any. */
  previous?: ReleaseRef;
  elapsedMs: number;
}
