/**
 * `npm run bench:suggest`: how much composing the suggested answer adds to a draft (issue 10:
 * at most 2 ms on the median draft). For every question of the answers corpus, on the scratch
 * code database of eval:answers (real ICD-10-CM/HCPCS files, NCCI/MUE fixtures, SQLite):
 *
 * - the draft's own evidence work, as the draft stage does it: extract the codes, read the date
 *   of service, build the evidence (the baseline);
 * - the suggestion on top of it: `suggestFromEvidence` (intents, closest current codes, search
 *   candidates, composing).
 *
 * Caches warm (two rounds first), then five rounds; per question the median of its rounds, then
 * the median, p90 and max over questions, in milliseconds. `--db=<file>` reuses a database.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extractCodes, readMessage } from '../src/codes/extract/index.ts';
import { findDateOfService } from '../src/codes/extract/date-of-service.ts';
import { buildEvidence } from '../src/drafts/evidence.ts';
import { contractCodes, suggestFromEvidence, suggestPortFor } from '../src/drafts/suggest/index.ts';
import { extractNewText } from '../src/mail/new-text.ts';
import { loadAnswersCorpus } from '../scripts/answers-corpus.ts';
import { DEFAULT_DATE, FIXTURES, openEvalDatabase } from '../scripts/answers-db.ts';
import type { Orm } from '../src/db/orm.ts';

interface Question {
  id: string;
  subject: string;
  text: string;
  codeForWords: boolean;
}

const WARM_ROUNDS = 2;
const ROUNDS = 5;

async function timeOne(orm: Orm, q: Question): Promise<{ draft: number; added: number }> {
  const port = suggestPortFor(orm.em.fork());
  const t0 = performance.now();
  const extraction = extractCodes({ subject: q.subject, body: q.text });
  const units: Record<string, number> = {};
  for (const h of extraction.hits) if (h.units !== undefined) units[h.code] ??= h.units;
  const written = findDateOfService(`${q.subject}\n${q.text}`);
  const dateOfService = written ? { date: written.date, source: 'email' as const, written: written.written } : { date: DEFAULT_DATE, source: 'received' as const, written: null };
  const evidence = await buildEvidence(port, { codes: contractCodes(extraction), units, dateOfService });
  const t1 = performance.now();
  await suggestFromEvidence(port, { subject: q.subject, text: q.text, extraction, evidence });
  return { draft: t1 - t0, added: performance.now() - t1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const ms = (x: number) => `${x.toFixed(2).padStart(6)} ms`;

function line(name: string, xs: number[]): string {
  return `${name.padEnd(40)} median ${ms(median(xs))}   p90 ${ms(quantile(xs, 0.9))}   max ${ms(Math.max(...xs))}   (${xs.length} questions)\n`;
}

async function main(): Promise<void> {
  const keep = process.argv.slice(2).find((a) => a.startsWith('--db='))?.slice(5);
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'casedesk-bench-suggest-'));
  const orm = await openEvalDatabase(keep ?? join(dir!, 'bench.sqlite'));
  try {
    const questions: Question[] = [];
    for (const q of loadAnswersCorpus(FIXTURES)) {
      const m = await readMessage(q.raw);
      questions.push({ id: q.id, subject: m.subject, text: extractNewText({ text: m.text, html: m.html, subject: m.subject }), codeForWords: q.intents.includes('code-for-words') });
    }
    for (let r = 0; r < WARM_ROUNDS; r++) for (const q of questions) await timeOne(orm, q);
    const draft = new Map<string, number[]>();
    const added = new Map<string, number[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const q of questions) {
        const t = await timeOne(orm, q);
        draft.set(q.id, [...(draft.get(q.id) ?? []), t.draft]);
        added.set(q.id, [...(added.get(q.id) ?? []), t.added]);
      }
    }
    const per = (m: Map<string, number[]>, keep: (q: Question) => boolean = () => true) => questions.filter(keep).map((q) => median(m.get(q.id)!));
    const load = loadavg()[0]!;
    process.stdout.write(`machine: ${availableParallelism()} cores, load average ${load.toFixed(2)}${load > availableParallelism() ? ' (busy: timings inflated)' : ''}\n`);
    process.stdout.write(line('draft evidence (baseline)', per(draft)));
    process.stdout.write(line('suggestion added, all questions', per(added)));
    process.stdout.write(line('suggestion added, code-for-words', per(added, (q) => q.codeForWords)));
    process.stdout.write(line('suggestion added, other questions', per(added, (q) => !q.codeForWords)));
    process.stdout.write(`\ncomposing the suggestion adds ${median(per(added)).toFixed(2)} ms to the median draft (target: at most 2 ms)\n`);
  } finally {
    await orm.close(true);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
