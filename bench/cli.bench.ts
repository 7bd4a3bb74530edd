/**
 * CLI start-up benchmark (`npm run bench:cli`): wall time of the real `node bin/casedesk.js`
 * (the compiled dist/ when present), median of 5 runs each, after one untimed warm-up run:
 * - `casedesk --help`;
 * - `casedesk codes lookup M54.5` on a SQLite database with the ICD-10-CM FY2025 order file
 *   imported (BENCH_DATA, default ../shared/data);
 * - `casedesk extract` on one message (an RFC 5322 question on stdin).
 * Targets (issue 11): 0.3 s, 0.6 s, 0.5 s. Wall times include waiting for a CPU: the load average
 * is printed with them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCodeFile } from '../src/codes/index.ts';
import { openDatabase } from '../src/db/orm.ts';

const DATA = process.env.BENCH_DATA ?? (existsSync('../shared/data') ? '../shared/data' : '/work/shared/data');
const RUNS = 5;
const MESSAGE = [
  'From: Coder <coder@example.test>', 'To: casedesk@example.test', 'Subject: 97760 with 97530 on the same day?',
  'Message-ID: <bench-cli@example.test>', 'Date: Mon, 1 Dec 2025 10:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '',
  'Can we bill 97760 and 97530 for M54.50 on the same day, with modifier 59?', '',
].join('\r\n');

const TIME = '/usr/bin/time'; // GNU time: the child's CPU seconds, which waiting for a CPU does not inflate
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeRuns(args: string[], env: NodeJS.ProcessEnv, input?: string): { median: number; runs: number[]; cpu?: number } {
  const runs: number[] = [];
  const cpu: number[] = [];
  const withTime = existsSync(TIME);
  for (let i = 0; i <= RUNS; i += 1) {
    const [cmd, argv] = withTime ? [TIME, ['-f', 'CPU %U %S', process.execPath, 'bin/casedesk.js', ...args]] : [process.execPath, ['bin/casedesk.js', ...args]];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { env, input, encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`casedesk ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
    if (i === 0) continue; // the first run warms the file cache
    runs.push(s);
    const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (m) cpu.push(Number(m[1]) + Number(m[2]));
  }
  return { median: median(runs), runs, cpu: cpu.length ? median(cpu) : undefined };
}

const dir = mkdtempSync(join(tmpdir(), 'casedesk-bench-cli-'));
try {
  const dbPath = join(dir, 'codes.sqlite');
  process.stderr.write('bench:cli: importing ICD-10-CM FY2025 into a temp SQLite database…\n');
  const orm = await openDatabase({ driver: 'sqlite', path: dbPath });
  await importCodeFile(orm, { system: 'icd10cm', file: `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt` });
  await orm.close(true);
  const env = { ...process.env, DATABASE_URL: dbPath, LOG_LEVEL: 'warn' };
  const compiled = existsSync('dist/workers/cli.js');
  const rows: [string, string[], number, string?][] = [
    ['casedesk --help', ['--help'], 0.3],
    ['casedesk codes lookup M54.5', ['codes', 'lookup', 'M54.5'], 0.6],
    ['casedesk extract (one message)', ['extract'], 0.5, MESSAGE],
  ];
  process.stdout.write(`cli bench (${compiled ? 'compiled dist/' : 'tsx, no dist/'}; median of ${RUNS} runs after one warm-up)\n`);
  for (const [label, args, target, input] of rows) {
    const r = timeRuns(args, env, input);
    const verdict = r.median <= target ? 'ok' : 'MISSED';
    const cpu = r.cpu === undefined ? '' : `  CPU median ${r.cpu.toFixed(2)} s`;
    process.stdout.write(`  ${label.padEnd(32)} median ${r.median.toFixed(3)} s  (target ≤ ${target} s: ${verdict})${cpu}  runs ${r.runs.map((s) => s.toFixed(2)).join(' ')}\n`);
  }
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (other work on the machine inflates wall times)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
