/**
 * Release-impact benchmark (`npm run bench:impact`): the impact of a 1.5-million-row NCCI PTP
 * release (the synthetic quarter of bench/ncci-synthetic.ts with 1 % of rows changed) against
 * 10,000 sent answers, each citing 2–4 procedure-code pairs taken from the release before (and
 * their MUE codes). Target ≤ 30 s. The two releases are imported and the answers written first
 * (not timed); then `computeReleaseImpact` is timed, and timed again (a second run adds nothing).
 *
 * Env: BENCH_DRIVERS=sqlite,postgresql (default both), BENCH_PG_URL, BENCH_NCCI_ROWS (default
 * 1500000), BENCH_ANSWERS (default 10000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Case, CaseMessage } from '../src/cases/case.entity.ts';
import { Outbox } from '../src/cases/outbox.entity.ts';
import { importCodeFile } from '../src/codes/index.ts';
import type { Orm } from '../src/db/orm.ts';
import { withBenchDb } from './bench-db.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import { computeReleaseImpact } from '../src/impact/compute-impact.ts';
import { hashMessageId } from '../src/shared/message-id.ts';
import { ptpLines, seeded, writePtpRelease } from './ncci-synthetic.ts';

const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite,postgresql').split(',').map((s) => s.trim());
const ROWS = Number(process.env.BENCH_NCCI_ROWS ?? 1_500_000);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 10_000);
const TARGET_S = 30;

/** Pairs the answers cite: every 50th row of the base release (column 1, column 2). */
function citablePairs(): [string, string][] {
  const out: [string, string][] = [];
  let n = 0;
  for (const line of ptpLines({ rows: ROWS, variant: 'base', quarter: '20260101' })) {
    if (n++ % 50 !== 0) continue;
    const [a, b] = line.split('\t');
    out.push([a, b]);
  }
  return out;
}

/** Write `ANSWERS` sent answers (case, question, sent draft with evidence, sent outbox row), in batches. */
async function seedAnswers(orm: Orm, pairs: [string, string][]): Promise<void> {
  const random = seeded(23);
  const pick = () => pairs[Math.floor(random() * pairs.length)];
  for (let start = 0; start < ANSWERS; start += 500) {
    const em = orm.em.fork();
    const n = Math.min(500, ANSWERS - start);
    const cases = Array.from({ length: n }, (_, i) => em.create(Case, { subject: `Bench question ${start + i}`, requesterEmail: `coder${(start + i) % 300}@clinic.test` }));
    await em.flush();
    const questions = cases.map((c) => {
      const id = `<bench-${c.id}@clinic.test>`;
      return em.create(CaseMessage, { caseId: c.id, direction: 'in', messageId: id, messageIdHash: hashMessageId(id), fromAddress: c.requesterEmail, subject: c.subject, textNew: 'q', textFull: 'q' });
    });
    await em.flush();
    const drafts = questions.map((q) => {
      const cited = Array.from({ length: 2 + Math.floor(random() * 3) }, pick);
      const evidence = {
        schemaVersion: 1,
        codes: cited.flat().map((code) => ({ code, systemLabel: 'CPT', status: 'unchecked' })),
        pairs: cited.map((codes) => ({ codes, checked: true, edit: null })),
        mue: cited.flat().map((code) => ({ code, checked: true, value: null })),
      };
      return em.create(Draft, { caseId: q.caseId, caseMessageId: q.id, kind: 'answer', state: 'sent', subject: `Re: ${q.subject}`, bodyText: 'a', bodyHtml: '<p>a</p>', evidence });
    });
    await em.flush();
    const outboxes = drafts.map((d) => em.create(Outbox, {
      dedupeKey: `draft:${d.id}`, kind: 'answer', caseId: d.caseId, draftId: d.id, messageId: `<bench-answer-${d.id}@casedesk.test>`,
      toAddress: 'coder@clinic.test', subject: d.subject, text: 'a', state: 'sent', sentAt: new Date(Date.now() - Math.floor(random() * 170) * 86_400_000),
    }));
    await em.flush();
    drafts.forEach((d, i) => (d.outboxId = outboxes[i].id));
    await em.flush();
  }
}

async function benchDriver(driver: string, q1: string[], q2: string[], pairs: [string, string][]): Promise<Record<string, string | number>> {
  return withBenchDb(driver, async (orm) => {
    let t = performance.now();
    await importCodeFile(orm, { system: 'ncci', file: q1, version: '2026Q1', effective: '2026-01-01' });
    const r2 = await importCodeFile(orm, { system: 'ncci', file: q2, version: '2026Q2', effective: '2026-04-01' });
    const importS = (performance.now() - t) / 1000;
    t = performance.now();
    await seedAnswers(orm, pairs);
    const seedS = (performance.now() - t) / 1000;
    t = performance.now();
    const first = await computeReleaseImpact(orm.em.fork(), r2.release.id, { lookbackDays: 180 });
    const impactS = (performance.now() - t) / 1000;
    t = performance.now();
    const again = await computeReleaseImpact(orm.em.fork(), r2.release.id, { lookbackDays: 180 });
    const againS = (performance.now() - t) / 1000;
    return {
      driver,
      'set-up (not timed)': `two NCCI imports ${importS.toFixed(1)} s, ${ANSWERS} answers written ${seedS.toFixed(1)} s`,
      'impact of the release': `${impactS.toFixed(2)} s (${first.answersChecked} answers checked, ${first.affected} affected) — ${impactS <= TARGET_S ? 'ok' : 'MISSED'} (target ≤ ${TARGET_S} s)`,
      'again (idempotent)': `${againS.toFixed(2)} s, ${again.created} new rows`,
    };
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'casedesk-impact-'));
try {
  process.stderr.write(`bench: writing two synthetic NCCI quarters of ${ROWS} rows…\n`);
  const q1 = await writePtpRelease(dataDir, 'ccipra-v320r0', { rows: ROWS, variant: 'base', quarter: '20260101' });
  const q2 = await writePtpRelease(dataDir, 'ccipra-v321r0', { rows: ROWS, variant: 'update', quarter: '20260401' });
  const pairs = citablePairs();
  const results = [];
  for (const driver of DRIVERS) {
    process.stderr.write(`bench: ${driver}…\n`);
    results.push(await benchDriver(driver, q1, q2, pairs));
  }
  process.stdout.write(`impact bench: NCCI release of ${ROWS} rows (1 % changed) against ${ANSWERS} sent answers\n`);
  for (const r of results) {
    process.stdout.write(`\n${r.driver}\n`);
    for (const [k, v] of Object.entries(r)) if (k !== 'driver') process.stdout.write(`  ${k.padEnd(24)} ${v}\n`);
  }
  process.stdout.write(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
