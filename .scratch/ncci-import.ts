import { readdirSync } from 'node:fs';
import { createTestDatabase } from '../test/support/db.ts';
import { CodeCache, findNcciEdit, importCodeFile } from '../src/codes/index.ts';
const driver = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgresql';
const t = await createTestDatabase(driver);
const dir = process.env.NCCI_DIR ?? '/tmp/cd-ncci';
const part = (v: string) => readdirSync(dir).filter((f) => f.startsWith(`ccipra-${v}`)).sort().map((f) => `${dir}/${f}`);
let last = '';
let cpu0 = process.cpuUsage();
const onProgress = (p: any) => { const ph = p.phase ?? 'read'; if (ph !== last) { const c = process.cpuUsage(cpu0); process.stderr.write(`  ${ph} at ${((performance.now() - s0) / 1000).toFixed(1)} s, cpu ${((c.user + c.system) / 1e6).toFixed(1)} s\n`); last = ph; } };
let s0 = performance.now(); cpu0 = process.cpuUsage();
const a = await importCodeFile(t.orm, { system: 'ncci', file: part('v320r0'), onProgress });
console.log('Q1', ((performance.now() - s0) / 1000).toFixed(1), 's', a.rowsRead, a.added, a.duplicates, a.rejectedCount, process.memoryUsage().rss / 2 ** 20 | 0, 'MB');
s0 = performance.now(); last = ''; cpu0 = process.cpuUsage();
const b = await importCodeFile(t.orm, { system: 'ncci', file: part('v321r0'), onProgress });
console.log('Q2', ((performance.now() - s0) / 1000).toFixed(1), 's', b.rowsRead, b.added, b.changed, b.ended, b.duplicates, process.memoryUsage().rss / 2 ** 20 | 0, 'MB', 'maxrss', process.resourceUsage().maxRSS / 1024 | 0);
const cache = new CodeCache();
const lat: number[] = [];
for (let i = 0; i < 2000; i++) {
  const s = performance.now();
  await findNcciEdit(t.orm.em.fork(), String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999)), { date: i % 2 ? '2026-02-01' : '2026-05-01', cache });
  lat.push(performance.now() - s);
}
lat.sort((x, y) => x - y);
console.log('lookup p50', lat[1000].toFixed(3), 'p99', lat[1980].toFixed(3));
await t.drop();
