import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
const path = '/tmp/cd-raw.sqlite'; rmSync(path, { force: true }); rmSync(path + '-wal', { force: true });
const db = new Database(path);
db.pragma('journal_mode = wal'); db.pragma('synchronous = normal');
db.exec('create table e (id integer primary key autoincrement, c1 text not null, c2 text not null, p integer not null, eff text not null, del text, m text not null, r text not null, f bigint not null, u bigint)');
const idx = process.argv[2] !== 'noidx';
if (idx) { db.exec('create index e1 on e (c1, c2)'); db.exec('create index e2 on e (c2)'); }
if (process.argv[3]) db.pragma(`cache_size = ${process.argv[3]}`);
const N = 300000;
const rows = []; for (let i = 0; i < N; i++) rows.push([String(10000 + Math.floor(i / 25)), String(10000 + ((i * 7919) % 89999)), 0, '2020-01-01', null, '1', 'Mutually exclusive procedures', 20260101000001, null]);
const t0 = performance.now(); const c0 = process.cpuUsage();
const per = 100; const tuple = '(' + Array(9).fill('?').join(',') + ')';
const st = db.prepare('insert into e (c1,c2,p,eff,del,m,r,f,u) values ' + Array(per).fill(tuple).join(','));
db.exec('begin');
for (let i = 0; i + per <= N; i += per) st.run(...rows.slice(i, i + per).flat());
db.exec('commit');
const c = process.cpuUsage(c0);
console.log(idx ? 'idx' : 'noidx', process.argv[3] ?? '', 'wall', ((performance.now() - t0) / 1000).toFixed(2), 'cpu', ((c.user + c.system) / 1e6).toFixed(2));
if (!idx) { const t1 = performance.now(); const c1 = process.cpuUsage(); db.exec('begin'); db.exec('create index e1 on e (c1, c2)'); db.exec('create index e2 on e (c2)'); db.exec('commit'); const c = process.cpuUsage(c1); console.log('create indexes wall', ((performance.now() - t1) / 1000).toFixed(2), 'cpu', ((c.user + c.system) / 1e6).toFixed(2)); }
