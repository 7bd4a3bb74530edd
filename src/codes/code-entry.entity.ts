import { EntitySchema } from '@mikro-orm/core';

/** What a row of a code-set file is: a billable/valid code, an ICD-10-CM header, or a modifier. */
export type CodeKind = 'code' | 'header' | 'modifier';

/**
 * One code as listed by one release (ICD-10-CM, ICD-10-PCS, HCPCS Level II and its modifiers,
 * CPT). Codes are stored undotted and upper case; the dotted ICD-10-CM form is derived on output.
 */
export class CodeEntry {
  id!: number;
  releaseId!: number;
  code!: string;
  kind!: CodeKind;
  shortDescription?: string | null;
  longDescription!: string;
  /** A licensee's consumer-friendly descriptor (CPT files only). */
  consumerDescription?: string | null;
  /** Per-code dates some files carry (HCPCS add date and termination date), YYYY-MM-DD. */
  validFrom?: string | null;
  validTo?: string | null;
}

export const CodeEntrySchema = new EntitySchema<CodeEntry>({
  class: CodeEntry,
  tableName: 'code_entry',
  uniques: [{ properties: ['releaseId', 'code'] }],
  indexes: [{ properties: ['code'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    releaseId: { type: 'integer' },
    code: { type: 'string', length: 8 },
    kind: { type: 'string', length: 8 },
    shortDescription: { type: 'text', nullable: true },
    longDescription: { type: 'text' },
    consumerDescription: { type: 'text', nullable: true },
    validFrom: { type: 'string', length: 10, nullable: true },
    validTo: { type: 'string', length: 10, nullable: true },
  },
});
