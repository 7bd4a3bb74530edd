import type { EntityManager } from '@mikro-orm/core';
import { createRelease, fileLabels, finishRelease, RowTally, type ImportPlan } from './import-plan.ts';
import { readLines } from './line-reader.ts';
import { ncciDelta } from './ncci-delta.ts';
import { NcciRowSet, oneRowPerKey } from './ncci-rows.ts';
import { loadNcciState, writeNcciDelta } from './ncci-store.ts';
import { NcciParser } from './parsers/ncci-mue.ts';
import type { LineParser, NcciRow, RowSink } from './parsers/parser.ts';
import { releaseKey, type ReleaseListCache, type ReleaseRow } from './releases.ts';
import type { ImportSummary } from './types.ts';

/** Rows between two progress reports while reading. */
const REPORT_EVERY = 50_000;

interface ParsedNcci {
  rows: NcciRowSet;
  tally: RowTally;
  duplicates: number;
}

/**
 * Read the parts of one NCCI PTP release (each with its own header lines) into one compact set,
 * in key order with one row per key (see oneRowPerKey). Bad rows are rejected by file and line.
 */
async function readNcciFiles(plan: ImportPlan): Promise<ParsedNcci> {
  const set = new NcciRowSet();
  const tally = new RowTally('ncci', fileLabels(plan.files));
  let bytesBefore = 0;
  let lastLine = 0;
  for (const [f, file] of plan.files.entries()) {
    const parser: LineParser<NcciRow> = new NcciParser();
    const sink: RowSink<NcciRow> = {
      row(row) {
        tally.read();
        set.push(row);
      },
      reject: (lineNo, reason) => tally.reject(f, lineNo, reason),
    };
    let bytes = 0;
    for await (const line of readLines(file, plan.encoding)) {
      parser.line(line, sink);
      lastLine = line.lineNo;
      bytes = line.bytesRead;
      tally.check(line.lineNo);
      if (line.lineNo % REPORT_EVERY === 0) plan.onProgress?.({ bytesRead: bytesBefore + bytes, totalBytes: plan.totalBytes, rowsRead: tally.rowsRead, phase: 'read' });
    }
    parser.finish(sink);
    bytesBefore += bytes;
  }
  tally.checkSome(lastLine, plan.files);
  const { rows, duplicates } = oneRowPerKey(set.sorted());
  return { rows, tally, duplicates };
}

/** The NCCI releases just before and just after a key, in chain order (see releaseKey). */
function neighbours(releases: ReleaseRow[], key: number): { prev?: ReleaseRow; next?: ReleaseRow } {
  let prev: ReleaseRow | undefined;
  let next: ReleaseRow | undefined;
  for (const r of releases) {
    if (r.system !== 'ncci') continue;
    const k = releaseKey(r);
    if (k < key && (!prev || k > releaseKey(prev))) prev = r;
    if (k > key && (!next || k < releaseKey(next))) next = r;
  }
  return { prev, next };
}

/**
 * Import an NCCI PTP release (one file or its parts -f1 … -f4) as a delta over the stored edits:
 * the files are read into memory compactly (about 30 bytes a row), compared in one merge pass
 * with the versions valid in the release before it (and after it, when an older quarter is
 * imported late), and only what changed is written. A first import writes every row; a quarter
 * that changes 1 % of them writes about 1 %. All in one transaction: a bad file leaves nothing.
 */
export async function importNcci(em: EntityManager, plan: ImportPlan, releases: ReleaseListCache): Promise<ImportSummary> {
  const parsed = await readNcciFiles(plan);
  const report = (phase: 'compare' | 'write', done = 0, total = 0) =>
    plan.onProgress?.({ bytesRead: plan.totalBytes, totalBytes: plan.totalBytes, rowsRead: parsed.tally.rowsRead, phase, done, total });
  return em.transactional(async (tem) => {
    const release = await createRelease(tem, plan);
    const key = releaseKey(release);
    const { prev, next } = neighbours(await releases.load(tem), key);
    report('compare');
    const p = prev ? await loadNcciState(tem, releaseKey(prev)) : null;
    const n = next ? await loadNcciState(tem, releaseKey(next)) : null;
    const delta = ncciDelta(parsed.rows, p, n);
    await writeNcciDelta(tem, delta, parsed.rows, p, { m: key, n: next ? releaseKey(next) : null }, (done, total) => report('write', done, total));
    return finishRelease(tem, release, plan, parsed.tally, {
      added: delta.added, changed: delta.changed, ended: delta.ended, duplicates: parsed.duplicates, previous: prev,
    });
  });
}

