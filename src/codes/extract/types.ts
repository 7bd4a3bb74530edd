/** The five code systems the extractor reports, plus modifiers. */
export type CodeSystem = 'cpt' | 'hcpcs' | 'icd10cm' | 'icd10pcs' | 'modifier';

/** One mention of a code in the subject or body, with where it was found. */
export interface CodeHit {
  /** Normal form (EXTRACTION.md): upper case, ICD-10-CM dotted, HCPCS without a hyphen. */
  code: string;
  system: CodeSystem;
  field: 'subject' | 'body';
  /** Offsets into the field's text (the body is the new text), end exclusive. */
  start: number;
  end: number;
  /** The text as written, e.g. `l-3908`, `M5450`, `-25`. */
  written: string;
  /** Units written with a procedure code (`97110 x3`, `J1885x2`, `97530*2`). */
  units?: number;
  /** For a modifier attached to a code: that code's normal form. */
  attachedTo?: string;
  /** For an endpoint of a written range (`97010-97039`): both endpoints. */
  range?: { from: string; to: string };
}

/** The contract's object (EXTRACTION.md, "Output") plus the hits behind it. */
export interface ExtractedCodes {
  cpt: string[];
  hcpcs: string[];
  icd10cm: string[];
  icd10pcs: string[];
  modifiers: string[];
  hits: CodeHit[];
}

/** Input of {@link extractCodes}: the subject and the body's new text (see `extractNewText`). */
export interface ExtractInput {
  subject: string;
  body: string;
}

export interface ExtractOptions {
  /**
   * Code-set lookup, used only as extra evidence where shape and context leave the category
   * open (letter + 4 digits reads as HCPCS and as undotted ICD-10-CM). Optional: the extractor
   * works without it.
   */
  isKnownCode?: (system: 'cpt' | 'hcpcs' | 'icd10cm' | 'icd10pcs', code: string) => boolean;
}
