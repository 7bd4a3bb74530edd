import { basename } from 'node:path';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { isUniqueViolation } from '../shared/db.ts';
import { ValidationError } from '../shared/errors.ts';
import { CodeRelease } from './code-release.entity.ts';
import { fileChecksum, fileSize, readLines, type FileEncoding } from './line-reader.ts';
import { CptParser } from './parsers/cpt.ts';
import { HcpcsParser } from './parsers/hcpcs.ts';
import { CodesFileParser, detectIcd10cmLayout, Icd10cmOrderParser } from './parsers/icd10.ts';
import { MueParser, NcciParser } from './parsers/ncci-mue.ts';
import type { CodeRow, LineParser, MueRow, NcciRow } from './parsers/parser.ts';
import { resolveReleaseIdentity } from './release-defaults.ts';
import { forgetReleases, loadReleases, releasesNewestFirst, toRef, type ReleaseRow } from './releases.ts';
import { markSearchStale } from './search-codes.ts';
import { insertRows, query } from './sql.ts';
import { IMPORT_SYSTEMS, type ImportProgress, type ImportSummary, type ImportSystem, type RejectedRow } from './types.ts';

export interface ImportOptions {
  system: string;
  file: string;
  version?: string;
  /** YYYY-MM-DD; required when the file name does not imply it. */
  effective?: string;
  onProgress?: (p: ImportProgress) => void;
}

type AnyRow = CodeRow | NcciRow | MueRow;
/** Rows per insert statement: 4,000 × 8 columns stays under SQLite's 32,766 bound parameters. */
const BATCH = 4000;
const MAX_LISTED_REJECTS = 1000;

function parserFor(system: ImportSystem, layout: string): LineParser<AnyRow> {
  switch (system) {
    case 'icd10cm': return layout === 'order' ? new Icd10cmOrderParser() : new CodesFileParser('icd10cm');
    case 'icd10pcs': return new CodesFileParser('icd10pcs');
    case 'hcpcs': return new HcpcsParser();
    case 'cpt': return new CptParser();
    case 'ncci': return new NcciParser();
    case 'mue': return new MueParser();
  }
}

/** The key and the compared content of a row, for the added / changed / ended counts. */
function diffKey(system: ImportSystem, row: AnyRow): [string, string] {
  if (system === 'ncci') {
    const r = row as NcciRow;
    return [`${r.column1}|${r.column2}|${r.effectiveDate}`, `${r.deletionDate}|${r.modifierIndicator}`];
  }
  if (system === 'mue') {
    const r = row as MueRow;
    return [r.code, `${r.value}|${r.adjudicationIndicator}`];
  }
  const r = row as CodeRow;
  return [r.code, `${r.longDescription}|${r.validTo ?? ''}`];
}

async function previousContent(em: EntityManager, system: ImportSystem, prev: ReleaseRow, billableOnly: boolean): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (system === 'ncci') {
    for (const r of await query(em, 'select column1, column2, effective_date, deletion_date, modifier_indicator from ncci_edit where release_id = ?', [prev.id])) {
      map.set(`${r.column1}|${r.column2}|${r.effective_date}`, `${r.deletion_date ?? null}|${r.modifier_indicator}`);
    }
  } else if (system === 'mue') {
    for (const r of await query(em, 'select code, value, adjudication_indicator from mue_limit where release_id = ?', [prev.id])) {
      map.set(String(r.code), `${r.value}|${r.adjudication_indicator}`);
    }
  } else {
    const kinds = billableOnly ? " and kind = 'code'" : '';
    for (const r of await query(em, `select code, long_description, valid_to from code_entry where release_id = ?${kinds}`, [prev.id])) {
      map.set(String(r.code), `${r.long_description}|${r.valid_to ?? ''}`);
    }
  }
  return map;
}

async function firstLine(file: string, encoding: FileEncoding): Promise<string> {
  for await (const l of readLines(file, encoding)) if (l.text.trim()) return l.text;
  return '';
}

/**
 * Import one official code-set file as a release, streaming it line by line. The whole release
 * is written in one transaction: a file that turns out bad (wrong layout, truncated, wrong
 * encoding) throws a ValidationError naming the line and leaves nothing behind. Importing the
 * same bytes again (same sha256) is a no-op that returns `skipped: true`. Counts compare with
 * the release of the same system in force just before (for ICD-10-CM, billable codes only when
 * either side is a codes-only file, since those carry no headers).
 */
export async function importCodeFile(target: EntityManager | MikroORM, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  if (!(IMPORT_SYSTEMS as readonly string[]).includes(options.system)) {
    throw new ValidationError(`unknown code system "${options.system}" (one of ${IMPORT_SYSTEMS.join(', ')})`);
  }
  const system = options.system as ImportSystem;
  const file = options.file;
  const totalBytes = await fileSize(file).catch((err: unknown) => {
    throw new ValidationError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  const em = target instanceof MikroORM ? target.em.fork() : target.fork();
  const checksum = await fileChecksum(file);
  const existing = await em.findOne(CodeRelease, { system, checksum });
  if (existing) return skippedSummary(existing, started);
  const encoding: FileEncoding = system === 'hcpcs' ? 'latin1' : 'utf-8';
  const layout = system === 'icd10cm' ? detectIcd10cmLayout(await firstLine(file, encoding)) : system;
  const { version, effective } = resolveReleaseIdentity(system, file, options.version, options.effective);
  const prev = releasesNewestFirst(await loadReleases(em, { fresh: true }), system).find((r) => r.effectiveDate <= effective);
  const billableOnly = layout === 'codes' || prev?.layout === 'codes';
  const before = prev ? await previousContent(em, system, prev, billableOnly) : new Map<string, string>();
  forgetReleases(em);
  try {
    return await transactionalImport(em, { system, file, layout, version, effective, checksum, encoding, totalBytes, prev, billableOnly, before, started, onProgress: options.onProgress });
  } catch (err) {
    // Another process imported the same file at the same moment and committed first.
    if (isUniqueViolation(err)) {
      const winner = await em.fork().findOne(CodeRelease, { system, checksum });
      if (winner) return skippedSummary(winner, started);
    }
    throw err;
  } finally {
    forgetReleases(em);
    markSearchStale(em);
  }
}

function skippedSummary(existing: CodeRelease, started: number): ImportSummary {
  return {
    skipped: true,
    release: { id: existing.id, system: existing.system, layout: existing.layout, version: existing.version, effectiveDate: existing.effectiveDate, sourceFile: existing.sourceFile, checksum: existing.checksum },
    rowsRead: 0, added: 0, changed: 0, ended: 0, rejected: [], rejectedCount: 0, elapsedMs: Math.round(performance.now() - started),
  };
}

interface ImportPlan {
  system: ImportSystem;
  file: string;
  layout: string;
  version: string;
  effective: string;
  checksum: string;
  encoding: FileEncoding;
  totalBytes: number;
  prev: ReleaseRow | undefined;
  billableOnly: boolean;
  before: Map<string, string>;
  started: number;
  onProgress?: (p: ImportProgress) => void;
}

async function transactionalImport(em: EntityManager, plan: ImportPlan): Promise<ImportSummary> {
  const { system, file, layout, version, effective, checksum, encoding, totalBytes, prev, billableOnly, before, started } = plan;
  const options = { onProgress: plan.onProgress };
  return em.transactional(async (tem) => {
    const release = tem.create(CodeRelease, { system, layout, version, effectiveDate: effective, sourceFile: basename(file), checksum });
    await tem.flush();
    const parser = parserFor(system, layout);
    const seen = new Set<string>();
    const rejected: RejectedRow[] = [];
    let rowsRead = 0;
    let rejectedCount = 0;
    let added = 0;
    let changed = 0;
    let batch: AnyRow[] = [];
    const sink = {
      row(row: AnyRow, lineNo: number) {
        rowsRead += 1;
        const [key, content] = diffKey(system, row);
        if (seen.has(key)) return sink.reject(lineNo, `${key} listed twice`, true);
        seen.add(key);
        if (!billableOnly || system !== 'icd10cm' || (row as CodeRow).kind === 'code') {
          const old = before.get(key);
          if (old === undefined) added += 1;
          else if (old !== content) changed += 1;
        }
        batch.push(row);
      },
      reject(line: number, reason: string, counted = false) {
        if (!counted) rowsRead += 1;
        rejectedCount += 1;
        if (rejected.length < MAX_LISTED_REJECTS) rejected.push({ line, reason });
      },
    };
    // One insert in flight while the next batch is parsed: PostgreSQL works while we parse.
    let inFlight: Promise<void> = Promise.resolve();
    const insert = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await inFlight;
      inFlight = write(rows);
      inFlight.catch(() => {}); // awaited below; no unhandled rejection meanwhile
    };
    const write = async (rows: AnyRow[]) => {
      const id = release.id;
      if (system === 'ncci') {
        await insertRows(tem, 'ncci_edit', ['release_id', 'column1', 'column2', 'prior_to1996', 'effective_date', 'deletion_date', 'modifier_indicator', 'rationale'],
          (rows as NcciRow[]).map((r) => [id, r.column1, r.column2, r.priorTo1996, r.effectiveDate, r.deletionDate, r.modifierIndicator, r.rationale]));
      } else if (system === 'mue') {
        await insertRows(tem, 'mue_limit', ['release_id', 'code', 'value', 'adjudication_indicator', 'rationale'],
          (rows as MueRow[]).map((r) => [id, r.code, r.value, r.adjudicationIndicator, r.rationale]));
      } else {
        await insertRows(tem, 'code_entry', ['release_id', 'code', 'kind', 'short_description', 'long_description', 'consumer_description', 'valid_from', 'valid_to'],
          (rows as CodeRow[]).map((r) => [id, r.code, r.kind, r.shortDescription, r.longDescription, r.consumerDescription, r.validFrom, r.validTo]));
      }
    };
    let lastLine = 0;
    let bytes = 0;
    for await (const line of readLines(file, encoding)) {
      parser.line(line, sink);
      lastLine = line.lineNo;
      bytes = line.bytesRead;
      if (rejectedCount >= 20 && rejectedCount > rowsRead - rejectedCount) {
        throw new ValidationError(`line ${line.lineNo}: ${rejectedCount} of the first ${rowsRead} rows rejected (first: line ${rejected[0].line}, ${rejected[0].reason}): is this really a ${system} file?`);
      }
      if (batch.length >= BATCH) {
        await insert();
        options.onProgress?.({ bytesRead: bytes, totalBytes, rowsRead });
      }
    }
    parser.finish(sink);
    await insert();
    await inFlight;
    if (rowsRead - rejectedCount === 0) throw new ValidationError(`line ${lastLine}: no ${system} rows found in ${basename(file)}`);
    let ended = 0;
    for (const key of before.keys()) if (!seen.has(key)) ended += 1;
    Object.assign(release, { rowsRead, rowsAdded: added, rowsChanged: changed, rowsEnded: ended, rowsRejected: rejectedCount });
    await tem.flush();
    options.onProgress?.({ bytesRead: totalBytes, totalBytes, rowsRead });
    return {
      skipped: false,
      release: { id: release.id, system, layout, version, effectiveDate: effective, sourceFile: release.sourceFile, checksum },
      rowsRead, added, changed, ended, rejected, rejectedCount,
      previous: prev ? toRef(prev) : undefined,
      elapsedMs: Math.round(performance.now() - started),
    };
  });
}
