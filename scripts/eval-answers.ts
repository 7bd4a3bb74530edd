/**
 * `npm run eval:answers`: how well `casedesk suggest` answers the labelled coder questions in
 * test/fixtures/answers. Imports the real ICD-10-CM FY2025 order and FY2026 codes files and
 * HCPCS 2025-01 from ../shared/data, plus the corpus's NCCI PTP and MUE fixtures (real CMS
 * layouts, made-up values), into a scratch SQLite database; runs every question through the
 * command's own path (runSuggest: message parsing, new text, the composer); and prints, per
 * intent and overall, the share of questions with the intents right, the facts right, the facts
 * stated in the answer, and all three. Blind files (`9*-blind*.txt`) are reported apart.
 *
 * Options: `--db=<file>` keeps (and reuses) the scratch database; `--only=<id prefix>`;
 * `--verbose` lists every question that is not all right, with its problems.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuggest } from '../src/cli/commands/suggest.ts';
import { INTENTS } from '../src/drafts/suggest/types.ts';
import { loadAnswersCorpus, scoreSuggestion, type LabelledQuestion, type QuestionScore } from './answers-corpus.ts';
import { DEFAULT_DATE, FIXTURES, openEvalDatabase } from './answers-db.ts';

interface Tally {
  n: number;
  intents: number;
  facts: number;
  stated: number;
  all: number;
}

const empty = (): Tally => ({ n: 0, intents: 0, facts: 0, stated: 0, all: 0 });

function add(t: Tally, s: QuestionScore): void {
  t.n++;
  t.intents += Number(s.intentsRight);
  t.facts += Number(s.factsRight);
  t.stated += Number(s.stated);
  t.all += Number(s.intentsRight && s.factsRight && s.stated);
}

const pct = (k: number, n: number) => (n === 0 ? '   -  ' : `${((100 * k) / n).toFixed(1).padStart(5)}%`);

function table(title: string, rows: [string, Tally][]): string {
  const lines = [`${title}`, `  ${'intent'.padEnd(16)} ${'n'.padStart(4)}  intents    facts   stated   all right`];
  for (const [name, t] of rows) lines.push(`  ${name.padEnd(16)} ${String(t.n).padStart(4)}  ${pct(t.intents, t.n)}  ${pct(t.facts, t.n)}  ${pct(t.stated, t.n)}  ${pct(t.all, t.n)}`);
  return lines.join('\n');
}

function report(title: string, scored: { q: LabelledQuestion; s: QuestionScore }[]): string {
  const byIntent = new Map(INTENTS.map((i) => [i as string, empty()]));
  const total = empty();
  for (const { q, s } of scored) {
    add(total, s);
    for (const i of q.intents) add(byIntent.get(i)!, s);
  }
  return table(title, [...[...byIntent.entries()].filter(([, t]) => t.n > 0), ['ALL', total]]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.slice(7);
  const verbose = args.includes('--verbose');
  const keep = args.find((a) => a.startsWith('--db='))?.slice(5);
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'casedesk-eval-answers-'));
  const orm = await openEvalDatabase(keep ?? join(dir!, 'eval.sqlite'));
  try {
    const corpus = loadAnswersCorpus(FIXTURES).filter((q) => !only || q.id.startsWith(only));
    const scored: { q: LabelledQuestion; s: QuestionScore }[] = [];
    for (const q of corpus) {
      const suggestion = await runSuggest(orm, q.raw, { date: q.date ?? DEFAULT_DATE });
      const s = scoreSuggestion(q, suggestion);
      scored.push({ q, s });
      if (verbose && s.problems.length) process.stdout.write(`${q.id} (${q.file}):\n  ${s.problems.join('\n  ')}\n`);
    }
    const blind = (q: LabelledQuestion) => /^9\d.*blind/.test(q.file);
    const tuned = scored.filter(({ q }) => !blind(q));
    const held = scored.filter(({ q }) => blind(q));
    if (tuned.length) process.stdout.write(`${report(`Tuned set (${tuned.length} questions)`, tuned)}\n\n`);
    if (held.length) process.stdout.write(`${report(`Blind set (${held.length} questions)`, held)}\n\n`);
    process.stdout.write(`${report(`All (${scored.length} questions)`, scored)}\n`);
  } finally {
    await orm.close(true);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
