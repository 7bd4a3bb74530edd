/**
 * `npm run bench:related`: what linking past answers on the same codes (src/drafts/related.ts)
 * costs a draft once a service has answered for a while. Each database holds N approved answers
 * (--answers, default 1,000 and 20,000) on a narrow spread of codes (12 procedure and
 * diagnosis codes, two or three an answer: many answers share each key), indexed as approval
 * indexes them; then 300 lookups of the bench's question shapes, timed after 50 untimed ones. Prints the median and p99 of a
 * lookup's wall time, its CPU, and how many past cases a lookup linked on average.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { findRelatedCases } from '../src/drafts/related.ts';
import { withBenchDb } from './bench-db.ts';
import { pastAnswerCodes, seedAnsweredCases } from './seed-answers.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'sqlite,postgresql' }, answers: { type: 'string', default: '1000,20000' } } });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

for (const driver of values.db!.split(',')) {
  for (const n of values.answers!.split(',').map(Number)) {
    await withBenchDb(driver, async (orm) => {
      await seedAnsweredCases(orm.em.fork(), n);
      const lookups = Array.from({ length: 350 }, (_, i) => Object.values(pastAnswerCodes(i * 13 + 5)).flat());
      const wall: number[] = [];
      let linked = 0;
      const cpu0 = { v: process.cpuUsage() };
      for (let i = 0; i < lookups.length; i += 1) {
        if (i === 50) cpu0.v = process.cpuUsage();
        const t0 = performance.now();
        const got = await findRelatedCases(orm.em.fork(), lookups[i], { excludeCaseId: 0 });
        if (i >= 50) {
          wall.push(performance.now() - t0);
          linked += got.length;
        }
      }
      const used = process.cpuUsage(cpu0.v);
      process.stdout.write(`${driver.padEnd(10)} ${String(n).padStart(6)} approved answers: lookup p50 ${pct(wall, 0.5).toFixed(2)} ms  p99 ${pct(wall, 0.99).toFixed(2)} ms  CPU ${((used.user + used.system) / 1000 / wall.length).toFixed(2)} ms  (${(linked / wall.length).toFixed(1)} cases linked a lookup)   load ${loadavg()[0].toFixed(1)}\n`);
    });
  }
}
process.exit(0);
