/** The kinds of patient identifier the PHI guard marks (issue 13; `casedesk phi --json` prints these names). */
export const PHI_KINDS = ['ssn', 'mbi', 'member-id', 'mrn', 'dob', 'name', 'phone', 'address', 'email'] as const;
export type PhiKind = (typeof PHI_KINDS)[number];

/**
 * One marked identifier: offsets into the text the guard read (for a message, its new text),
 * end exclusive, and the text as written.
 */
export interface PhiSpan {
  kind: PhiKind;
  start: number;
  end: number;
  text: string;
}

/** What a reader sees in place of a removed span: `[removed: date of birth]`. */
export const PHI_LABELS: Record<PhiKind, string> = {
  ssn: 'SSN',
  mbi: 'Medicare ID',
  'member-id': 'member ID',
  mrn: 'record or account number',
  dob: 'date of birth',
  name: 'patient name',
  phone: 'phone number',
  address: 'address',
  email: 'email address',
};

/**
 * A detector's proposal before overlaps are resolved. `labelled` candidates follow an explicit
 * label ("MRN:", "DOB", "patient name:") and win over a billing-code reading of the same text;
 * unlabelled ones (a phone-shaped number, a street address) give way to codes, NPIs and dates
 * of service. `priority` breaks ties between overlapping candidates (higher wins).
 */
export interface Candidate {
  kind: PhiKind;
  start: number;
  end: number;
  labelled: boolean;
  priority: number;
}

/** Text the guard must never mark: billing codes, NPIs, dates of service. */
export interface ProtectedSpan {
  kind: 'code' | 'npi' | 'dos';
  start: number;
  end: number;
  /**
   * False for a reading the extractor is unsure of: a two-character modifier standing alone
   * (`GA` in `Macon, GA 31201` reads as a modifier). Weak spans do not veto an identifier.
   */
  strong: boolean;
  /**
   * True when an identifier's own label outranks this reading: a code hit, or ten digits that
   * are an NPI only by their check digit ("MRN: 1234567893"). False for an NPI after "NPI" and for
   * a date of service, which are never removed.
   */
  overridable: boolean;
}
