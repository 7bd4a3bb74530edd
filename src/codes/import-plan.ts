import { basename } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { CodeRelease } from './code-release.entity.ts';
import type { FileEncoding } from './line-reader.ts';
import { CptParser } from './parsers/cpt.ts';
import { HcpcsParser } from './parsers/hcpcs.ts';
import { CodesFileParser, Icd10cmOrderParser } from './parsers/icd10.ts';
import { MueParser, NcciParser } from './parsers/ncci-mue.ts';
import type { CodeRow, LineParser, MueRow, NcciRow } from './parsers/parser.ts';
import { toRef, type ReleaseRow } from './releases.ts';
import type { ImportProgress, ImportSummary, ImportSystem, RejectedRow } from './types.ts';

export type AnyRow = CodeRow | NcciRow | MueRow;

/** Everything an import has settled before it writes: the files, what they are, and the release they make. */
export interface ImportPlan {
  system: ImportSystem;
  files: string[];
  layout: string;
  version: string;
  effective: string;
  checksum: string;
  encoding: FileEncoding;
  totalBytes: number;
  started: number;
  onProgress?: (p: ImportProgress) => void;
}

const MAX_LISTED_REJECTS = 1000;

/** The parser of one file of a system and layout (a new one per file: parsers keep header state). */
export function parserFor(system: ImportSystem, layout: string): LineParser<AnyRow> {
  switch (system) {
    case 'icd10cm': return layout === 'order' ? new Icd10cmOrderParser() : new CodesFileParser('icd10cm');
    case 'icd10pcs': return new CodesFileParser('icd10pcs');
    case 'hcpcs': return new HcpcsParser();
    case 'cpt': return new CptParser();
    case 'ncci': return new NcciParser();
    case 'mue': return new MueParser();
  }
}

/** The encoding official files of a system come in: CMS's HCPCS, NCCI and MUE files are latin-1. */
export function encodingOf(system: ImportSystem): FileEncoding {
  return system === 'hcpcs' || system === 'ncci' || system === 'mue' ? 'latin1' : 'utf-8';
}

/**
 * Rows read and rejected while streaming the files of one import. Stops the import when most of
 * the first rows are rejected (a file of another kind that happens to fit the layout).
 */
export class RowTally {
  rowsRead = 0;
  rejectedCount = 0;
  readonly rejected: RejectedRow[] = [];

  constructor(private readonly system: ImportSystem, private readonly fileLabel: (file: number) => string = () => '') {}

  read(): void {
    this.rowsRead += 1;
  }

  reject(file: number, line: number, reason: string, counted = false): void {
    if (!counted) this.rowsRead += 1;
    this.rejectedCount += 1;
    if (this.rejected.length < MAX_LISTED_REJECTS) this.rejected.push({ line, reason: `${this.fileLabel(file)}${reason}` });
  }

  /** Throw when at least 20 rows were rejected and they outnumber the good ones. */
  check(lineNo: number): void {
    if (this.rejectedCount >= 20 && this.rejectedCount > this.rowsRead - this.rejectedCount) {
      const first = this.rejected[0];
      throw new ValidationError(`line ${lineNo}: ${this.rejectedCount} of the first ${this.rowsRead} rows rejected (first: line ${first.line}, ${first.reason}): is this really a ${this.system} file?`);
    }
  }

  /** Throw when the files held no usable row at all. */
  checkSome(lastLine: number, files: string[]): void {
    if (this.rowsRead - this.rejectedCount === 0) throw new ValidationError(`line ${lastLine}: no ${this.system} rows found in ${files.map((f) => basename(f)).join(', ')}`);
  }
}

/** `ccipra-v321r0-f2.txt: ` before a reason when an import reads several files. */
export function fileLabels(files: string[]): (file: number) => string {
  return files.length > 1 ? (i) => `${basename(files[i])}: ` : () => '';
}

/** The source file names as stored on the release (several parts listed, cut to the column's 255 characters). */
export function sourceName(files: string[]): string {
  const names = files.map((f) => basename(f)).join(', ');
  return names.length <= 255 ? names : `${names.slice(0, 254)}…`;
}

/** Insert the release row (inside the import's transaction). */
export async function createRelease(tem: EntityManager, plan: ImportPlan): Promise<CodeRelease> {
  const release = tem.create(CodeRelease, {
    system: plan.system, layout: plan.layout, version: plan.version, effectiveDate: plan.effective, sourceFile: sourceName(plan.files), checksum: plan.checksum,
  });
  await tem.flush();
  return release;
}

export function releaseRowOf(r: CodeRelease): ReleaseRow {
  return { id: r.id, system: r.system, layout: r.layout, version: r.version, effectiveDate: r.effectiveDate, checksum: r.checksum, sourceFile: r.sourceFile };
}

/** Record the counts on the release and build the summary. */
export async function finishRelease(
  tem: EntityManager, release: CodeRelease, plan: ImportPlan, tally: RowTally,
  counts: { added: number; changed: number; ended: number; duplicates?: number; previous?: ReleaseRow },
): Promise<ImportSummary> {
  Object.assign(release, { rowsRead: tally.rowsRead, rowsAdded: counts.added, rowsChanged: counts.changed, rowsEnded: counts.ended, rowsRejected: tally.rejectedCount });
  await tem.flush();
  plan.onProgress?.({ bytesRead: plan.totalBytes, totalBytes: plan.totalBytes, rowsRead: tally.rowsRead, phase: 'done' });
  return {
    skipped: false,
    release: { id: release.id, system: plan.system, layout: plan.layout, version: plan.version, effectiveDate: plan.effective, sourceFile: release.sourceFile, checksum: plan.checksum },
    rowsRead: tally.rowsRead, added: counts.added, changed: counts.changed, ended: counts.ended,
    ...(counts.duplicates ? { duplicates: counts.duplicates } : {}),
    rejected: tally.rejected, rejectedCount: tally.rejectedCount,
    previous: counts.previous ? toRef(counts.previous) : undefined,
    elapsedMs: Math.round(performance.now() - plan.started),
  };
}

export function skippedSummary(existing: CodeRelease, started: number): ImportSummary {
  return {
    skipped: true,
    release: { id: existing.id, system: existing.system, layout: existing.layout, version: existing.version, effectiveDate: existing.effectiveDate, sourceFile: existing.sourceFile, checksum: existing.checksum },
    rowsRead: 0, added: 0, changed: 0, ended: 0, rejected: [], rejectedCount: 0, elapsedMs: Math.round(performance.now() - started),
  };
}
