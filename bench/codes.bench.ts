/**
 * Code-database benchmark (`npm run bench:codes`), on SQLite and PostgreSQL:
 * - the official files: import time of the FY2025 ICD-10-CM order file and the HCPCS file,
 *   exact lookup and keyword search latency (p50/p99) with ICD-10-CM, ICD-10-PCS and HCPCS;
 * - NCCI and MUE at real scale, in the CMS layout (bench/ncci-synthetic.ts, seeded): a 1.5-million
 *   row PTP release in four parts, the next quarter with 1 % of rows changed, two 15,000-row MUE
 *   tables; import times, pair and MUE lookup latency;
 * - the memory of the real `casedesk start` with all of it loaded, after 20 drafts and the code
 *   pages (bench/service-rss.ts; needs Dovecot: `bash scripts/services.sh start`).
 * Each run creates its own database (a temp SQLite file; `cd_bench_*` on the local PostgreSQL).
 *
 * Env: BENCH_DRIVERS=sqlite,postgresql (default both), BENCH_PG_URL (default
 * postgresql://postgres@127.0.0.1:5432/postgres), BENCH_DATA (default ../shared/data),
 * BENCH_NCCI_ROWS (default 1500000), BENCH_RSS=0 to skip the service step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBenchDb } from './bench-db.ts';
import { benchCodeSets } from './code-sets.ts';
import { benchNcciMue } from './ncci-mue.ts';
import { writeBenchFiles } from './ncci-synthetic.ts';
import { measureServiceRss } from './service-rss.ts';

const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgresql').split(',').map((s) => s.trim());
const NCCI_ROWS = Number(process.env.BENCH_NCCI_ROWS ?? 1_500_000);
const TARGET = { rssMb: 400 };

export type Figures = Record<string, string | number>;

async function benchDriver(driver: string, files: Awaited<ReturnType<typeof writeBenchFiles>>): Promise<Figures> {
  return withBenchDb(driver, async (orm, db) => {
    const out: Figures = { driver };
    Object.assign(out, await benchCodeSets(orm));
    Object.assign(out, await benchNcciMue(orm, files));
    if (process.env.BENCH_RSS !== '0') {
      process.stderr.write(`bench: ${driver}: casedesk start with every code set loaded…\n`);
      const rss = await measureServiceRss(orm, db).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }));
      if ('error' in rss) out['casedesk start peak RSS'] = `not measured: ${rss.error.slice(0, 200)}`;
      else {
        out['casedesk start peak RSS MB'] = Math.round(rss.peakMb);
        out['casedesk start RSS target'] = rss.peakMb <= TARGET.rssMb ? 'ok' : 'MISSED';
        out['  (after)'] = `${rss.drafts} drafts, ${rss.pages} code pages; RSS at the end ${Math.round(rss.rssMb)} MB; up in ${(rss.startMs / 1000).toFixed(1)} s`;
        out['  (pair index)'] = rss.pairIndex ? `built in the service: ${rss.pairIndex.rows} versions, ${rss.pairIndex.mb} MB of arrays, in ${(rss.pairIndex.ms / 1000).toFixed(1)} s` : 'NOT built in the service (no log line within 60 s)';
      }
    }
    return out;
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'casedesk-ncci-'));
try {
  process.stderr.write(`bench: writing the synthetic NCCI (${NCCI_ROWS} rows × 2 quarters) and MUE files…\n`);
  const files = await writeBenchFiles(dataDir, NCCI_ROWS);
  const results: Figures[] = [];
  for (const driver of DRIVERS) {
    process.stderr.write(`bench: ${driver}…\n`);
    results.push(await benchDriver(driver, files));
  }
  process.stdout.write(`codes bench (targets: order import ≤ 5 s, lookup p99 ≤ 1 ms, search p99 ≤ 10 ms; NCCI ${NCCI_ROWS} rows: import ≤ 30 s, 1 % update ≤ 10 s, pair p99 ≤ 1 ms; casedesk start ≤ ${TARGET.rssMb} MB)\n`);
  for (const r of results) {
    process.stdout.write(`\n${r.driver}\n`);
    for (const [k, v] of Object.entries(r)) if (k !== 'driver') process.stdout.write(`  ${k.padEnd(30)} ${v}\n`);
  }
  process.stdout.write(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (other work on the machine inflates wall times and tails)\n`);
  process.stdout.write(`bench process: max rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (the generator and importer, not the service)\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
