/**
 * The official code-set files in the code bench: import times, exact lookups and keyword
 * searches with ICD-10-CM (FY2025 order + FY2026 codes), ICD-10-PCS and HCPCS imported.
 */
import { readFileSync } from 'node:fs';
import type { Orm } from '../src/db/orm.ts';
import { CodeCache, importCodeFile, lookupCode, searchCodes } from '../src/codes/index.ts';

const DATA = process.env.BENCH_DATA ?? '../shared/data';
const FILES = {
  order: `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt`,
  codes2026: `${DATA}/icd10cm/fy2026/icd10cm-codes-2026.txt`,
  hcpcs: `${DATA}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt`,
  pcs: `${DATA}/icd10pcs/fy2026/icd10pcs-codes-2026.txt.gz`,
};
const LOOKUPS = 3000;
const SEARCHES = 2000;
const TARGET = { orderImportMs: 5000, lookupP99: 1, searchP99: 10 };

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const ok = (v: number, target: number) => (v <= target ? 'ok' : 'MISSED');

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

async function timeLookups(orm: Orm, cache: CodeCache) {
  const inputs = lookupInputs();
  for (const q of inputs.slice(0, 300)) await lookupCode(orm.em.fork(), q.code, { date: q.date, cache }); // warm-up
  const lookups: number[] = [];
  const byKind: Record<string, number[]> = {};
  const cpu = process.cpuUsage();
  for (const q of inputs) {
    const s = performance.now();
    const r = await lookupCode(orm.em.fork(), q.code, { date: q.date, cache });
    const ms = performance.now() - s;
    lookups.push(ms);
    const kind = r.header ? 'header' : r.status === 'unknown' && r.system === 'unknown' ? 'unknown' : 'code';
    (byKind[kind] ??= []).push(ms);
  }
  const used = process.cpuUsage(cpu);
  lookups.sort((a, b) => a - b);
  const kinds = Object.entries(byKind).map(([k, v]) => {
    v.sort((a, b) => a - b);
    return `${k} ${v.length}× p50 ${pct(v, 50).toFixed(3)} p99 ${pct(v, 99).toFixed(3)}`;
  });
  return { lookups, kinds: kinds.join('; '), cpuMs: (used.user + used.system) / 1000 / inputs.length };
}

async function timeSearches(orm: Orm, cache: CodeCache) {
  const b0 = performance.now();
  await searchCodes(orm.em.fork(), 'warm up', { cache });
  const buildMs = performance.now() - b0;
  for (let i = 0; i < 200; i += 1) await searchCodes(orm.em.fork(), SEARCH_QUERIES[i % SEARCH_QUERIES.length], { cache });
  const searches: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < SEARCHES; i += 1) {
    const s = performance.now();
    await searchCodes(orm.em.fork(), SEARCH_QUERIES[i % SEARCH_QUERIES.length], { limit: 10, cache });
    searches.push(performance.now() - s);
  }
  const used = process.cpuUsage(cpu);
  searches.sort((a, b) => a - b);
  return { buildMs, searches, cpuMs: (used.user + used.system) / 1000 / SEARCHES };
}

/** Import the official files and time lookups and searches through one CodeCache (as a service process holds it). */
export async function benchCodeSets(orm: Orm): Promise<Record<string, string | number>> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await importCodeFile(orm, { system: 'icd10cm', file: FILES.order });
  const orderMs = performance.now() - t0;
  const orderCpu = process.cpuUsage(c0);
  await importCodeFile(orm, { system: 'icd10cm', file: FILES.codes2026 });
  const t1 = performance.now();
  await importCodeFile(orm, { system: 'hcpcs', file: FILES.hcpcs });
  const hcpcsMs = performance.now() - t1;
  await importCodeFile(orm, { system: 'icd10pcs', file: FILES.pcs });
  const cache = new CodeCache();
  const l = await timeLookups(orm, cache);
  const s = await timeSearches(orm, cache);
  return {
    'order import ms': Math.round(orderMs),
    'order import target': `${ok(orderMs, TARGET.orderImportMs)} (CPU of this process ${Math.round((orderCpu.user + orderCpu.system) / 1000)} ms)`,
    'hcpcs import ms': Math.round(hcpcsMs),
    'lookup p50 ms': Number(pct(l.lookups, 50).toFixed(3)),
    'lookup p99 ms': Number(pct(l.lookups, 99).toFixed(3)),
    'lookup target': ok(pct(l.lookups, 99), TARGET.lookupP99),
    'lookup by kind (ms)': l.kinds,
    'lookup mean CPU ms': Number(l.cpuMs.toFixed(3)),
    'search index build ms': Math.round(s.buildMs),
    'search p50 ms': Number(pct(s.searches, 50).toFixed(3)),
    'search p99 ms': Number(pct(s.searches, 99).toFixed(3)),
    'search target': ok(pct(s.searches, 99), TARGET.searchP99),
    'search mean CPU ms': Number(s.cpuMs.toFixed(3)),
  };
}
