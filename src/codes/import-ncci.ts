import type { EntityManager } from '@mikro-orm/core';
import { createRelease, fileLabels, finishRelease, RowTally, type ImportPlan } from './import-plan.ts';
import { readLineBatches } from './line-reader.ts';
import { ncciDelta } from './ncci-delta.ts';
import { NcciRowSet, oneRowPerKey } from './ncci-rows.ts';
import { loadNcciState, writeNcciDelta } from './ncci-store.ts';
import { NcciParser } from './parsers/ncci-mue.ts';
import type { NcciRow, RowSink } from './parsers/parser.ts';
import { releaseKey, type ReleaseListCache, type ReleaseRow } from './releases.ts';
import { isPostgres, withSqlitePageCache } from './sql.ts';
import type { ImportSummary } from './types.ts';

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
    const parser = new NcciParser();
    const sink: RowSink<NcciRow> = {
      row(row) {
        tally.read();
        set.push(row);
      },
      reject: (lineNo, reason) => tally.reject(f, lineNo, reason),
    };
    let bytes = 0;
    for await (const batch of readLineBatches(file, plan.encoding)) {
      for (const line of batch) {
        // The usual row straight into the set; the parser reads headers and anything unusual.
        if (parser.inRows && set.appendLine(line.text)) tally.read();
        else parser.line(line, sink);
        tally.check(line.lineNo);
      }
      const last = batch[batch.length - 1];
      lastLine = last.lineNo;
      bytes = last.bytesRead;
      plan.onProgress?.({ bytesRead: bytesBefore + bytes, totalBytes: plan.totalBytes, rowsRead: tally.rowsRead, phase: 'read' });
    }
    parser.finish();
    bytesBefore += bytes;
  }
  tally.checkSome(lastLine, plan.files);
  const { rows, duplicates } = oneRowPerKey(set.sorted());
  return { rows, tally, duplicates };
}

/** The NCCI releases just before and just after a key, in chain order (see releaseKey). */
function neighbours(releases: ReleaseRow[], key: number): Around {
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

interface Around {
  prev?: ReleaseRow;
  next?: ReleaseRow;
}

interface States {
  p: NcciRowSet | null;
  n: NcciRowSet | null;
}

function loadStates(em: EntityManager, around: Around): Promise<States> {
  return Promise.all([
    around.prev ? loadNcciState(em, releaseKey(around.prev)) : null,
    around.next ? loadNcciState(em, releaseKey(around.next)) : null,
  ]).then(([p, n]) => ({ p, n }));
}

/**
 * On PostgreSQL, start reading the stored edits the new release will be compared with while the
 * files are parsed (the server works while we parse). A new release's key is above every release
 * of its effective date, so its neighbours are known before it is created; the import checks
 * them again inside its transaction and reads afresh if another import came in between.
 */
function prefetch(em: EntityManager, releases: ReleaseRow[], effective: string): { chain: string; states: Promise<States | null> } | null {
  if (!isPostgres(em)) return null;
  // The new release's id will be above every id so far.
  const around = neighbours(releases, releaseKey({ effectiveDate: effective, id: 999_999 }));
  const states = loadStates(em.fork(), around).catch(() => null);
  return { chain: chainOf(releases), states };
}

/** The NCCI releases, for "did another import come in meanwhile". */
function chainOf(releases: ReleaseRow[]): string {
  return releases.filter((r) => r.system === 'ncci').map((r) => `${r.id}:${r.checksum}`).sort().join(',');
}

/**
 * Import an NCCI PTP release (one file or its parts -f1 … -f4) as a delta over the stored edits:
 * the files are read into memory compactly (about 30 bytes a row), compared in one merge pass
 * with the versions valid in the release before it (and after it, when an older quarter is
 * imported late), and only what changed is written. A first import writes every row; a quarter
 * that changes 1 % of them writes about 1 %. All in one transaction: a bad file leaves nothing.
 */
export async function importNcci(em: EntityManager, plan: ImportPlan, releases: ReleaseListCache): Promise<ImportSummary> {
  const early = prefetch(em, await releases.load(em, { fresh: true }), plan.effective);
  const parsed = await readNcciFiles(plan);
  const report = (phase: 'compare' | 'write', done = 0, total = 0) =>
    plan.onProgress?.({ bytesRead: plan.totalBytes, totalBytes: plan.totalBytes, rowsRead: parsed.tally.rowsRead, phase, done, total });
  return withSqlitePageCache(em, 256 * 1024, () => em.transactional(async (tem) => {
    const release = await createRelease(tem, plan);
    const key = releaseKey(release);
    const chain = (await releases.load(tem)).filter((r) => r.id !== release.id);
    const around = neighbours(chain, key);
    report('compare');
    const { p, n } = (early?.chain === chainOf(chain) ? await early.states : null) ?? (await loadStates(tem, around));
    const delta = ncciDelta(parsed.rows, p, n);
    await writeNcciDelta(tem, delta, parsed.rows, p, { m: key, n: around.next ? releaseKey(around.next) : null }, (done, total) => report('write', done, total));
    return finishRelease(tem, release, plan, parsed.tally, {
      added: delta.added, changed: delta.changed, ended: delta.ended, duplicates: parsed.duplicates, previous: around.prev,
    });
  }));
}
