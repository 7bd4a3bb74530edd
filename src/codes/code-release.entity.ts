import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { ImportSystem } from './types.ts';

/**
 * One import of one official file: a code-set release. Releases are never replaced: a newer
 * version of a system sits beside the older one, and a lookup as of a date answers from the
 * release in force on that date (the latest effective date on or before it).
 */
export class CodeRelease {
  [OptionalProps]?: 'importedAt' | 'rowsRead' | 'rowsAdded' | 'rowsChanged' | 'rowsEnded' | 'rowsRejected';
  id!: number;
  system!: ImportSystem;
  /** Layout of the source: `order` / `codes` for ICD-10-CM, else the system name. */
  layout!: string;
  version!: string;
  /** First day the release applies (YYYY-MM-DD). */
  effectiveDate!: string;
  sourceFile!: string;
  /** sha256 of the file bytes: importing the same file twice is a no-op. */
  checksum!: string;
  rowsRead = 0;
  rowsAdded = 0;
  rowsChanged = 0;
  rowsEnded = 0;
  rowsRejected = 0;
  importedAt: Date = new Date();
}

export const CodeReleaseSchema = new EntitySchema<CodeRelease>({
  class: CodeRelease,
  tableName: 'code_release',
  uniques: [{ properties: ['system', 'checksum'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    system: { type: 'string', length: 16 },
    layout: { type: 'string', length: 16 },
    version: { type: 'string', length: 64 },
    effectiveDate: { type: 'string', length: 10 },
    sourceFile: { type: 'string', length: 255 },
    checksum: { type: 'string', length: 64 },
    rowsRead: { type: 'integer' },
    rowsAdded: { type: 'integer' },
    rowsChanged: { type: 'integer' },
    rowsEnded: { type: 'integer' },
    rowsRejected: { type: 'integer' },
    importedAt: { type: 'datetime' },
  },
});
