/**
 * The suggested answer's shapes, exactly as SUGGEST.md (the `casedesk suggest --json` contract)
 * states them. The draft stage stores a {@link Suggestion}; the CLI prints its four fields.
 */

/** The kinds of question recognised (SUGGEST.md vocabulary). */
export const INTENTS = ['ncci-pair', 'units', 'validity', 'billable', 'descriptor', 'modifier', 'code-for-words', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

/** An NCCI PTP edit (or its absence) between two procedure codes the question asks about. */
export interface NcciFact {
  kind: 'ncci';
  /** In order of mention. */
  codes: [string, string];
  /** True when the release in force lists an edit for the pair (even one not in effect on the date). */
  edit: boolean;
  column1: string | null;
  column2: string | null;
  modifierIndicator: '0' | '1' | '9' | null;
  /** True when the edit applies on the date of service. */
  inEffect: boolean;
}

export interface MueFact {
  kind: 'mue';
  code: string;
  /** The MUE value in force, null when the code has none (or no MUE release is in force). */
  value: number | null;
  unitsWritten: number | null;
  /** Null when either side is unknown. */
  exceeds: boolean | null;
}

export type CodeSystemKey = 'icd10cm' | 'icd10pcs' | 'hcpcs' | 'cpt';

export interface CodeFact {
  kind: 'code';
  /** Normal form (ICD-10-CM dotted). */
  code: string;
  system: CodeSystemKey;
  valid: boolean;
  billable: boolean | null;
  header: boolean;
  /** Billable codes under a header (the first 20). */
  children: string[];
}

export interface ModifierFact {
  kind: 'modifier';
  modifier: string;
  /** The code the modifier is written on, when it is attached to one. */
  code: string | null;
}

export interface SearchFact {
  kind: 'search';
  words: string;
  codes: string[];
}

export type Fact = NcciFact | MueFact | CodeFact | ModifierFact | SearchFact;

/** What the draft stage puts in place of the consultant marker, and what `casedesk suggest` prints. */
export interface Suggestion {
  intents: Intent[];
  /** The answer paragraphs (plain text), or null when nothing was recognised: the draft keeps the marker. */
  answer: string | null;
  facts: Fact[];
  /** What could not be checked and why (short strings). */
  missing: string[];
  /** Release labels the answer cites (`ICD-10-CM FY2025`, `NCCI PTP 2026Q1`); not part of the CLI contract. */
  sources: string[];
}
