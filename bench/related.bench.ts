/**
 * `npm run bench:related`: what linking past answers on the same codes (src/drafts/related.ts)
 * costs a draft once a service has answered for a while. Each database holds N approved answers
 * (--answers, default 1,000 and 20,000) on a realistic spread of codes (12 procedure and
 * diagnosis codes, two or three an answer: a narrow spread, so many answers share each key), indexed as approval indexes them; then 300 lookups
 * of the bench's question shapes, timed after 50 untimed ones. Prints the median and p99 of a
 * lookup's wall time, its CPU, and how many past cases a lookup linked on average.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { AnswerKey, answerKeys } from '../src/drafts/answer-key.entity.ts';
import { Case } from '../src/cases/case.entity.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import { findRelatedCases } from '../src/drafts/related.ts';
import { withBenchDb } from './bench-db.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'sqlite,postgresql' }, answers: { type: 'string', default: '1000,20000' } } });
const CODES = ['99213', '99214', '97110', '97140', '97530', 'J1885', 'L3908', 'G0283', 'M54.50', 'S52.501A', 'E11.9', 'Z23'];
const ICD = /\./;
const codesOf = (i: number) => {
  const picked = [...new Set([CODES[i % 12], CODES[(i * 7 + 3) % 12], ...(i % 3 === 0 ? [CODES[(i * 5 + 1) % 12]] : [])])];
  return { cpt: picked.filter((c) => /^\d{5}$/.test(c)), hcpcs: picked.filter((c) => /^[A-Z]\d{4}$/.test(c)), icd10cm: picked.filter((c) => ICD.test(c) || c === 'Z23'), icd10pcs: [], modifiers: ['59'] };
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

for (const driver of values.db!.split(',')) {
  for (const n of values.answers!.split(',').map(Number)) {
    await withBenchDb(driver, async (orm) => {
      const em = orm.em.fork();
      const now = new Date();
      for (let start = 0; start < n; start += 500) {
        const size = Math.min(500, n - start);
        // Explicit ids: insertMany returns no ids on every driver.
        const caseIds = Array.from({ length: size }, (_, k) => start + k + 1);
        await em.insertMany(Case, caseIds.map((id, k) => ({
          id, subject: `past ${start + k}`, requesterEmail: 'coder@clinic.example', state: 'answered', openedAt: now, lastInboundAt: now, dueAt: now, updatedAt: now,
        })));
        const drafts = Array.from({ length: size }, (_, k) => ({
          id: caseIds[k], caseId: caseIds[k], caseMessageId: start + k + 1, followUpKey: '', kind: 'answer', state: 'sent', subject: 's', bodyText: 't', bodyHtml: 'h',
          codes: codesOf(start + k), evidence: {}, versions: [], decidedAt: new Date(now.getTime() - (n - start - k) * 60_000), createdAt: now, updatedAt: now,
        }));
        await em.insertMany(Draft, drafts as unknown as Draft[]);
        await em.insertMany(AnswerKey, drafts.flatMap((d) => answerKeys(d.codes).map((matchKey) => ({ draftId: d.id, matchKey }))));
      }
      const lookups = Array.from({ length: 350 }, (_, i) => Object.values(codesOf(i * 13 + 5)).flat());
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
