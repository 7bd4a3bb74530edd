/**
 * Code-database benchmark (`npm run bench:codes`): import time of the FY2025 ICD-10-CM order
 * file and the HCPCS file, exact lookup and keyword search latency (p50/p99) with ICD-10-CM,
 * ICD-10-PCS and HCPCS imported, and peak memory, on SQLite and PostgreSQL. Each run creates
 * its own database (a temp SQLite file; `cd_bench_*` on the local PostgreSQL) and drops it.
 *
 * Env: BENCH_DRIVERS=sqlite,postgresql (default both), BENCH_PG_URL (default
 * postgresql://postgres@127.0.0.1:5432/postgres), BENCH_DATA (default ../shared/data).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../config/index.ts';
import { openDatabase, type Orm } from '../src/db/orm.ts';
import { importCodeFile, lookupCode, searchCodes } from '../src/codes/index.ts';

const DATA = process.env.BENCH_DATA ?? '../shared/data';
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgresql').split(',').map((s) => s.trim());
const FILES = {
  order: `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt`,
  codes2026: `${DATA}/icd10cm/fy2026/icd10cm-codes-2026.txt`,
  hcpcs: `${DATA}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt`,
  pcs: `${DATA}/icd10pcs/fy2026/icd10pcs-codes-2026.txt.gz`,
};
const LOOKUPS = 3000;
const SEARCHES = 2000;
const TARGET = { orderImportMs: 5000, lookupP99: 1, searchP99: 10 };

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 25);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function withBenchDb<T>(driver: string, fn: (orm: Orm) => Promise<T>): Promise<T> {
  let db: DatabaseConfig;
  let cleanup: () => Promise<void>;
  if (driver === 'postgresql') {
    const name = `cd_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await admin(`create database ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    db = { driver: 'postgresql', url: url.toString() };
    cleanup = () => admin(`drop database if exists ${name} with (force)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'casedesk-bench-'));
    db = { driver: 'sqlite', path: join(dir, 'bench.sqlite') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const orm = await openDatabase(db);
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
    await cleanup();
  }
}

/** Lookup inputs: a spread of real codes of every kind, dotted and not, some unknown, over several dates. */
function lookupInputs(): { code: string; date: string }[] {
  const order = readFileSync(FILES.order, 'latin1').split('\r\n').filter(Boolean);
  const hcpcs = readFileSync(FILES.hcpcs, 'latin1').split('\r\n').filter((l) => l[10] === '3' || l[10] === '7');
  const dates = ['2025-01-01', '2025-06-15', '2025-11-01', '2026-03-01'];
  const out: { code: string; date: string }[] = [];
  for (let i = 0; out.length < LOOKUPS; i += 1) {
    const k = i % 10;
    let code: string;
    if (k < 6) {
      const c = order[(i * 7919) % order.length].slice(6, 13).trim();
      code = k % 2 === 0 && c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
    } else if (k < 8) code = hcpcs[(i * 104729) % hcpcs.length].slice(0, 5).trim();
    else if (k === 8) code = ['0016070', '0DTJ4ZZ', '25', '59', '99213'][i % 5];
    else code = ['M54.7', 'Z99.999', 'L3999', 'S82.821X'][i % 4];
    out.push({ code, date: dates[i % dates.length] });
  }
  return out;
}

const SEARCH_QUERIES = [
  'low back pain', 'wrist hand orthosis cock-up', 'type 2 diabetes without complications', 'diabetis mellitus type 2',
  'fracture of femur', 'blood glucose test strips', 'insulin pump', 'left side', 'sciatica', 'pressure ulcer sacral region stage 3',
  'bypass cerebral ventricle', 'knee replacement', 'ambulance mileage', 'electrical stimulation unattended', 'chest pain',
  'hypertension', 'major depressive disorder recurrent', 'covid vaccine', 'urinary tract infection', 'otitis media acute',
  'wheelchair cushion', 'oxygen concentrator', 'pnemonia', 'astma', 'migraine without aura', 'screening mammography',
  'contusion of abdominal wall', 'ankle foot orthosis', 'injection methylprednisolone', 'glucose monitor supplies',
];

async function benchDriver(driver: string): Promise<Record<string, string | number>> {
  return withBenchDb(driver, async (orm) => {
    const t0 = performance.now();
    await importCodeFile(orm, { system: 'icd10cm', file: FILES.order });
    const orderMs = performance.now() - t0;
    await importCodeFile(orm, { system: 'icd10cm', file: FILES.codes2026 });
    const t1 = performance.now();
    await importCodeFile(orm, { system: 'hcpcs', file: FILES.hcpcs });
    const hcpcsMs = performance.now() - t1;
    await importCodeFile(orm, { system: 'icd10pcs', file: FILES.pcs });

    const inputs = lookupInputs();
    for (const q of inputs.slice(0, 300)) await lookupCode(orm.em.fork(), q.code, { date: q.date }); // warm-up
    const lookups: number[] = [];
    const byKind: Record<string, number[]> = {};
    const lookupCpu = process.cpuUsage();
    for (const q of inputs) {
      const s = performance.now();
      const r = await lookupCode(orm.em.fork(), q.code, { date: q.date });
      const ms = performance.now() - s;
      lookups.push(ms);
      const kind = r.header ? 'header' : r.status === 'unknown' && r.system === 'unknown' ? 'unknown' : 'code';
      (byKind[kind] ??= []).push(ms);
    }
    const lookupCpuMs = (process.cpuUsage(lookupCpu).user + process.cpuUsage(lookupCpu).system) / 1000 / inputs.length;
    lookups.sort((a, b) => a - b);
    const kindStats = Object.entries(byKind)
      .map(([k, v]) => {
        v.sort((a, b) => a - b);
        return `${k} ${v.length}× p50 ${pct(v, 50).toFixed(3)} p99 ${pct(v, 99).toFixed(3)}`;
      })
      .join('; ');

    const b0 = performance.now();
    await searchCodes(orm.em.fork(), 'warm up');
    const buildMs = performance.now() - b0;
    for (let i = 0; i < 200; i += 1) await searchCodes(orm.em.fork(), SEARCH_QUERIES[i % SEARCH_QUERIES.length]);
    const searches: number[] = [];
    const searchCpu = process.cpuUsage();
    for (let i = 0; i < SEARCHES; i += 1) {
      const s = performance.now();
      await searchCodes(orm.em.fork(), SEARCH_QUERIES[i % SEARCH_QUERIES.length], { limit: 10 });
      searches.push(performance.now() - s);
    }
    const searchCpuMs = (process.cpuUsage(searchCpu).user + process.cpuUsage(searchCpu).system) / 1000 / SEARCHES;
    searches.sort((a, b) => a - b);
    const ok = (v: number, target: number) => (v <= target ? 'ok' : 'MISSED');
    return {
      driver,
      'order import ms': Math.round(orderMs),
      'order import target': ok(orderMs, TARGET.orderImportMs),
      'hcpcs import ms': Math.round(hcpcsMs),
      'lookup p50 ms': Number(pct(lookups, 50).toFixed(3)),
      'lookup p99 ms': Number(pct(lookups, 99).toFixed(3)),
      'lookup target': ok(pct(lookups, 99), TARGET.lookupP99),
      'lookup by kind (ms)': kindStats,
      'lookup mean CPU ms': Number(lookupCpuMs.toFixed(3)),
      'search index build ms': Math.round(buildMs),
      'search p50 ms': Number(pct(searches, 50).toFixed(3)),
      'search p99 ms': Number(pct(searches, 99).toFixed(3)),
      'search target': ok(pct(searches, 99), TARGET.searchP99),
      'search mean CPU ms': Number(searchCpuMs.toFixed(3)),
      'peak rss MB (so far)': Math.round(peakRss / 2 ** 20),
    };
  });
}

const results: Record<string, string | number>[] = [];
for (const driver of DRIVERS) {
  process.stderr.write(`bench: ${driver}…\n`);
  results.push(await benchDriver(driver));
}
clearInterval(sampler);
process.stdout.write(`codes bench (${LOOKUPS} lookups, ${SEARCHES} searches per driver; targets: order import ≤ ${TARGET.orderImportMs} ms, lookup p99 ≤ ${TARGET.lookupP99} ms, search p99 ≤ ${TARGET.searchP99} ms)\n`);
for (const r of results) {
  process.stdout.write(`\n${r.driver}\n`);
  for (const [k, v] of Object.entries(r)) if (k !== 'driver') process.stdout.write(`  ${k.padEnd(24)} ${v}\n`);
}
process.stdout.write(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (other work on the machine inflates the tails)\n`);
process.stdout.write(`peak rss ${Math.round(peakRss / 2 ** 20)} MB, max rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
