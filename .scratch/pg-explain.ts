import { readdirSync } from 'node:fs';
import { createTestDatabase } from '../test/support/db.ts';
import { importCodeFile, findNcciEdit, CodeCache } from '../src/codes/index.ts';
const t = await createTestDatabase('postgresql');
const dir = '/tmp/cd-ncci-small';
const part = (v: string) => readdirSync(dir).filter((f) => f.startsWith(`ccipra-${v}`)).sort().map((f) => `${dir}/${f}`);
await importCodeFile(t.orm, { system: 'ncci', file: part('v320r0') });
await importCodeFile(t.orm, { system: 'ncci', file: part('v321r0') });
const conn = t.orm.em.getConnection();
const rel = await conn.execute('select id, effective_date from code_release order by id');
const k = Number(String(rel[1].effective_date).replaceAll('-', '')) * 1e6 + Number(rel[1].id);
const q = `explain analyze select column1, column2 from ncci_edit where column1 = ? and column2 = ? and from_key <= ? and (until_key is null or until_key > ?) union all select column1, column2 from ncci_edit where column1 = ? and column2 = ? and from_key <= ? and (until_key is null or until_key > ?)`;
for (const r of await conn.execute(q, ['10021', '10040', k, k, '10040', '10021', k, k])) console.log(r['QUERY PLAN']);
const cache = new CodeCache();
const lat: number[] = [];
for (let i = 0; i < 1000; i++) { const s = performance.now(); await findNcciEdit(t.orm.em.fork(), String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999)), { date: '2026-05-01', cache }); lat.push(performance.now() - s); }
const m: number[] = [];
for (let i = 0; i < 1000; i++) { const s = performance.now(); await conn.execute('select 1'); m.push(performance.now() - s); }
lat.sort((a, b) => a - b); m.sort((a, b) => a - b);
console.log('pair p50', lat[500].toFixed(3), 'p99', lat[990].toFixed(3), '| select 1 p50', m[500].toFixed(3), 'p99', m[990].toFixed(3));
const { query } = await import('../src/codes/sql.ts');
const sql = q.replace('explain analyze ', '');
for (const [label, fn] of [
  ['query() pair', (i: number) => query(t.orm.em, sql, [String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999)), k, k, '10040', '10021', k, k])],
  ['query() pair fork', (i: number) => query(t.orm.em.fork(), sql, [String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999)), k, k, '10040', '10021', k, k])],
  ['query() in-list', (i: number) => query(t.orm.em.fork(), 'select column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale, from_key, until_key from ncci_edit where column1 in (?, ?) and column2 in (?, ?)', [String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999)), String(10000 + ((i * 7919) % 89999)), String(10000 + ((i * 104729) % 89999))])],
  ['query() simple', (i: number) => query(t.orm.em, 'select column1 from ncci_edit where column1 = ? and column2 = ?', [String(10000 + ((i * 7919) % 89999)), '10040'])],
] as const) {
  const l: number[] = [];
  for (let i = 0; i < 1000; i++) { const s = performance.now(); await fn(i); l.push(performance.now() - s); }
  l.sort((a, b) => a - b);
  console.log(label, 'p50', l[500].toFixed(3), 'p99', l[990].toFixed(3));
}
await t.drop();
