import type { EntityManager } from '@mikro-orm/core';
import { createRelease, finishRelease, parserFor, RowTally, type AnyRow, type ImportPlan } from './import-plan.ts';
import { readLineBatches } from './line-reader.ts';
import type { CodeRow, MueRow, RowSink } from './parsers/parser.ts';
import { releasesNewestFirst, type ReleaseListCache, type ReleaseRow } from './releases.ts';
import { insertRows, query } from './sql.ts';
import type { ImportSummary } from './types.ts';

/** Rows per insert statement: 4,000 × 8 columns stays under SQLite's 32,766 bound parameters. */
const BATCH = 4000;

/** The key and the compared content of a code or MUE row, for the added / changed / ended counts. */
function diffKey(row: AnyRow): [string, string] {
  if ('value' in row) return [row.code, `${row.value}|${row.adjudicationIndicator}`];
  const r = row as CodeRow;
  return [r.code, `${r.longDescription}|${r.validTo ?? ''}`];
}

/** The previous release's rows as key → content (see diffKey). */
async function previousContent(em: EntityManager, plan: ImportPlan, prev: ReleaseRow, billableOnly: boolean): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (plan.system === 'mue') {
    for (const r of await query(em, 'select code, value, adjudication_indicator from mue_limit where release_id = ?', [prev.id])) {
      map.set(String(r.code), `${r.value}|${r.adjudication_indicator}`);
    }
    return map;
  }
  const kinds = billableOnly ? " and kind = 'code'" : '';
  for (const r of await query(em, `select code, long_description, valid_to from code_entry where release_id = ?${kinds}`, [prev.id])) {
    map.set(String(r.code), `${r.long_description}|${r.valid_to ?? ''}`);
  }
  return map;
}

/** Writes batches of rows, one insert in flight while the next batch is parsed (PostgreSQL works while we parse). */
class BatchWriter {
  private batch: AnyRow[] = [];
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly tem: EntityManager, private readonly plan: ImportPlan, private readonly releaseId: number) {}

  add(row: AnyRow): void {
    this.batch.push(row);
  }

  get full(): boolean {
    return this.batch.length >= BATCH;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    await this.inFlight;
    this.inFlight = this.write(rows);
    this.inFlight.catch(() => {}); // awaited in done(); no unhandled rejection meanwhile
  }

  async done(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  private async write(rows: AnyRow[]): Promise<void> {
    const id = this.releaseId;
    if (this.plan.system === 'mue') {
      await insertRows(this.tem, 'mue_limit', ['release_id', 'code', 'value', 'adjudication_indicator', 'rationale'],
        (rows as MueRow[]).map((r) => [id, r.code, r.value, r.adjudicationIndicator, r.rationale]));
      return;
    }
    await insertRows(this.tem, 'code_entry', ['release_id', 'code', 'kind', 'short_description', 'long_description', 'consumer_description', 'valid_from', 'valid_to'],
      (rows as CodeRow[]).map((r) => [id, r.code, r.kind, r.shortDescription, r.longDescription, r.consumerDescription, r.validFrom, r.validTo]));
  }
}

/** Counts added / changed rows against the previous release and refuses a key listed twice. */
function countingSink(plan: ImportPlan, tally: RowTally, writer: BatchWriter, before: Map<string, string>, billableOnly: boolean) {
  const seen = new Set<string>();
  const counts = { added: 0, changed: 0 };
  const sink: RowSink<AnyRow> = {
    row(row, lineNo) {
      tally.read();
      const [key, content] = diffKey(row);
      if (seen.has(key)) return tally.reject(0, lineNo, `${key} listed twice`, true);
      seen.add(key);
      if (!billableOnly || plan.system !== 'icd10cm' || (row as CodeRow).kind === 'code') {
        const old = before.get(key);
        if (old === undefined) counts.added += 1;
        else if (old !== content) counts.changed += 1;
      }
      writer.add(row);
    },
    reject(lineNo, reason) {
      tally.reject(0, lineNo, reason);
    },
  };
  return { sink, seen, counts };
}

/** Stream the file through its parser into the writer. Returns the last line number. */
async function streamFile(plan: ImportPlan, sink: RowSink<AnyRow>, tally: RowTally, writer: BatchWriter): Promise<number> {
  const parser = parserFor(plan.system, plan.layout);
  let lastLine = 0;
  for await (const batch of readLineBatches(plan.files[0], plan.encoding)) {
    for (const line of batch) {
      parser.line(line, sink);
      lastLine = line.lineNo;
      tally.check(line.lineNo);
      if (writer.full) await writer.flush();
    }
    plan.onProgress?.({ bytesRead: batch[batch.length - 1].bytesRead, totalBytes: plan.totalBytes, rowsRead: tally.rowsRead, phase: 'read' });
  }
  parser.finish(sink);
  await writer.done();
  return lastLine;
}

/**
 * Import a code-set file (ICD-10-CM, ICD-10-PCS, HCPCS, CPT) or an MUE table as one release of
 * its own rows, in one transaction, streaming it. Counts compare with the release of the same
 * system in force just before (for ICD-10-CM, billable codes only when either side is a
 * codes-only file, since those carry no headers).
 */
export async function importRows(em: EntityManager, plan: ImportPlan, releases: ReleaseListCache): Promise<ImportSummary> {
  const prev = releasesNewestFirst(await releases.load(em, { fresh: true }), plan.system).find((r) => r.effectiveDate <= plan.effective);
  const billableOnly = plan.layout === 'codes' || prev?.layout === 'codes';
  const before = prev ? await previousContent(em, plan, prev, billableOnly) : new Map<string, string>();
  return em.transactional(async (tem) => {
    const release = await createRelease(tem, plan);
    const tally = new RowTally(plan.system);
    const writer = new BatchWriter(tem, plan, release.id);
    const { sink, seen, counts } = countingSink(plan, tally, writer, before, billableOnly);
    const lastLine = await streamFile(plan, sink, tally, writer);
    tally.checkSome(lastLine, plan.files);
    let ended = 0;
    for (const key of before.keys()) if (!seen.has(key)) ended += 1;
    return finishRelease(tem, release, plan, tally, { ...counts, ended, previous: prev });
  });
}
