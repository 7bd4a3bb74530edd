import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { isUniqueViolation } from '../shared/db.ts';
import { ValidationError } from '../shared/errors.ts';
import { cacheOf, type CodeCache } from './code-cache.ts';
import { CodeRelease } from './code-release.entity.ts';
import { importNcci } from './import-ncci.ts';
import { encodingOf, parserFor, RowTally, skippedSummary, type AnyRow, type ImportPlan } from './import-plan.ts';
import { importRows } from './import-rows.ts';
import { fileChecksum, fileSize, readLines, type FileEncoding } from './line-reader.ts';
import { detectIcd10cmLayout } from './parsers/icd10.ts';
import type { LineParser, RowSink } from './parsers/parser.ts';
import { partOf, resolveReleaseIdentity } from './release-defaults.ts';
import type { ReleaseListCache } from './releases.ts';
import { IMPORT_SYSTEMS, type ImportProgress, type ImportSummary, type ImportSystem } from './types.ts';

export interface ImportOptions {
  system: string;
  /** The file; for NCCI also the parts of one release (`ccipra-v321r0-f1.txt` … `-f4.txt`), imported as one. */
  file: string | string[];
  version?: string;
  /** YYYY-MM-DD; required when the file name does not imply it. */
  effective?: string;
  onProgress?: (p: ImportProgress) => void;
  /** The caller's code cache: it sees the new release at once (other caches within their TTL). */
  cache?: CodeCache;
}

/** Good rows a layout check reads before it is satisfied, and lines it reads at most. */
const PROBE_ROWS = 50;
const PROBE_LINES = 2000;

function checkSystem(system: string): ImportSystem {
  if (!(IMPORT_SYSTEMS as readonly string[]).includes(system)) {
    throw new ValidationError(`unknown code system "${system}" (one of ${IMPORT_SYSTEMS.join(', ')})`);
  }
  return system as ImportSystem;
}

function checkFiles(system: ImportSystem, file: string | string[]): string[] {
  const files = Array.isArray(file) ? file : [file];
  if (files.length === 0) throw new ValidationError('no file to import');
  if (files.length > 1 && system !== 'ncci') throw new ValidationError(`one file at a time for ${system} (only an NCCI release comes in several parts)`);
  if (new Set(files.map((f) => basename(f))).size !== files.length) throw new ValidationError('the same file is named twice');
  return files;
}

async function totalSize(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) {
    total += await fileSize(file).catch((err: unknown) => {
      throw new ValidationError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
  }
  return total;
}

/** sha256 of the file, or of the parts' checksums in order: the same bytes make the same release. */
async function releaseChecksum(files: string[]): Promise<string> {
  if (files.length === 1) return fileChecksum(files[0]);
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => basename(a).localeCompare(basename(b)))) hash.update(`${basename(f)}:${await fileChecksum(f)}\n`);
  return hash.digest('hex');
}

/**
 * Read the start of a file through its parser, writing nothing: a file of the wrong kind is
 * refused for its layout (naming the line) before anything else is asked of the caller, such
 * as an effective date the name does not give. Returns the layout (ICD-10-CM: order or codes).
 */
async function checkLayout(system: ImportSystem, file: string, encoding: FileEncoding): Promise<string> {
  const tally = new RowTally(system);
  let good = 0;
  const sink: RowSink<AnyRow> = {
    row: () => {
      tally.read();
      good += 1;
    },
    reject: (line, reason) => tally.reject(0, line, reason),
  };
  let parser: LineParser<AnyRow> | null = null;
  let layout: string = system;
  for await (const line of readLines(file, encoding)) {
    if (!parser) {
      if (!line.text.trim()) continue;
      layout = system === 'icd10cm' ? detectIcd10cmLayout(line.text) : system;
      parser = parserFor(system, layout);
    }
    parser.line(line, sink);
    tally.check(line.lineNo);
    if (good >= PROBE_ROWS || line.lineNo >= PROBE_LINES) return layout;
  }
  (parser ?? parserFor(system, layout)).finish(sink);
  return layout;
}

/**
 * The parts of one NCCI release (-f1 … -f4) belong together: importing a part alone when
 * another part of the same release is already imported would shadow it.
 */
async function checkParts(releases: ReleaseListCache, em: EntityManager, system: ImportSystem, files: string[], version: string, effective: string): Promise<void> {
  if (system !== 'ncci') return;
  const mine = files.map((f) => partOf(f));
  if (!mine.every(Boolean)) return;
  const series = mine[0]!.series;
  const numbers = mine.map((p) => p!.part).sort().join(',');
  for (const r of await releases.load(em, { fresh: true })) {
    if (r.system !== 'ncci' || r.version !== version || r.effectiveDate !== effective) continue;
    const theirs = r.sourceFile.split(', ').map((f) => partOf(f));
    if (theirs.some((p) => p?.series === series) && theirs.map((p) => p?.part).sort().join(',') !== numbers) {
      throw new ValidationError(`NCCI ${version} is already imported from ${r.sourceFile}: the parts of one release must be imported together, in one command (casedesk codes import ncci <part 1> <part 2> …)`);
    }
  }
}

/**
 * Import one official code-set file as a release (an NCCI release may come in parts). The whole
 * release is written in one transaction: a file that turns out bad (wrong layout, truncated,
 * wrong encoding) throws a ValidationError naming the line and leaves nothing behind. Importing
 * the same bytes again (same sha256) is a no-op that returns `skipped: true`. The layout is
 * checked before the version and effective date are resolved from the options or file names.
 */
export async function importCodeFile(target: EntityManager | MikroORM, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const system = checkSystem(options.system);
  const files = checkFiles(system, options.file);
  const totalBytes = await totalSize(files);
  const em = target instanceof MikroORM ? target.em.fork() : target.fork();
  const checksum = await releaseChecksum(files);
  const existing = await em.findOne(CodeRelease, { system, checksum });
  if (existing) return skippedSummary(existing, started);
  const encoding = encodingOf(system);
  let layout: string = system;
  for (const file of files) layout = await checkLayout(system, file, encoding);
  const { version, effective } = resolveReleaseIdentity(system, files, options.version, options.effective);
  const cache = cacheOf(options);
  await checkParts(cache.releases, em, system, files, version, effective);
  const plan: ImportPlan = { system, files, layout, version, effective, checksum, encoding, totalBytes, started, onProgress: options.onProgress };
  try {
    return system === 'ncci' ? await importNcci(em, plan, cache.releases) : await importRows(em, plan, cache.releases);
  } catch (err) {
    // Another process imported the same file at the same moment and committed first.
    if (isUniqueViolation(err)) {
      const winner = await em.fork().findOne(CodeRelease, { system, checksum });
      if (winner) return skippedSummary(winner, started);
    }
    throw err;
  } finally {
    cache.releasesChanged(em);
  }
}
