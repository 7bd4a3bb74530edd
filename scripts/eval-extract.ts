/**
 * `npm run eval:extract`: precision, recall and F1 of the code extractor on the labelled corpus
 * in test/fixtures/extraction (format in its README), scored as EXTRACTION.md says: per key,
 * micro-averaged over all messages; codes strictly inside a written range are neither rewarded
 * nor penalised. Each input goes through the same path as `casedesk extract`.
 * `--verbose` lists every false positive and false negative; `--only=<id prefix>` scores a subset.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFromRaw } from '../src/codes/extract/index.ts';

export const KEYS = ['cpt', 'hcpcs', 'icd10cm', 'icd10pcs', 'modifiers'] as const;
export type Key = (typeof KEYS)[number];

export interface LabelledMessage {
  id: string;
  file: string;
  expected: Record<Key, string[]>;
  ranges: Array<{ from: string; to: string }>;
  raw: string;
}

/** Parse one corpus file into labelled messages. */
export function parseCorpus(text: string, file: string): LabelledMessage[] {
  const out: LabelledMessage[] = [];
  const records = text.split(/^=== /m).slice(1);
  for (const record of records) {
    const nl = record.indexOf('\n');
    const id = record.slice(0, nl).trim();
    const sep = record.indexOf('\n---\n');
    if (sep < 0) throw new Error(`${file}: record ${id} has no --- line`);
    const head = record.slice(nl + 1, sep);
    const raw = record.slice(sep + 5).replace(/\n+$/, '\n');
    const expected = { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] } as Record<Key, string[]>;
    const ranges: Array<{ from: string; to: string }> = [];
    for (const line of head.split('\n')) {
      const m = /^(\w+):\s*(.*)$/.exec(line.trim());
      if (!m) continue;
      const values = m[2]!.split(',').map((v) => v.trim()).filter(Boolean);
      if (m[1] === 'ranges') {
        for (const v of values) {
          const [from, to] = v.split('-');
          if (from && to) ranges.push({ from, to });
        }
      } else if ((KEYS as readonly string[]).includes(m[1]!)) {
        expected[m[1] as Key] = values;
      } else {
        throw new Error(`${file}: record ${id}: unknown key ${m[1]}`);
      }
    }
    out.push({ id, file, expected, ranges, raw });
  }
  return out;
}

/** Load every labelled message under a folder. */
export function loadCorpus(dir: string): LabelledMessage[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .flatMap((f) => parseCorpus(readFileSync(join(dir, f), 'utf8'), f));
}

function insideRange(code: string, ranges: Array<{ from: string; to: string }>): boolean {
  return ranges.some(
    (r) => code.length === r.from.length && code.length === r.to.length && code > r.from && code < r.to,
  );
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
}

export function prf(s: Score): { p: number; r: number; f1: number } {
  const p = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
  const r = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
  const f1 = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return { p, r, f1 };
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'extraction');
  const prefix = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const corpus = loadCorpus(dir).filter((m) => !prefix || m.id.startsWith(prefix));
  const scores = Object.fromEntries(KEYS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }])) as Record<Key, Score>;
  const problems: string[] = [];
  for (const msg of corpus) {
    const got = await extractFromRaw(msg.raw);
    for (const key of KEYS) {
      const want = new Set(msg.expected[key]);
      const have = new Set(got[key]);
      for (const code of have) {
        if (want.has(code)) scores[key].tp++;
        else if (!insideRange(code, msg.ranges)) {
          scores[key].fp++;
          problems.push(`${msg.id}\t${key}\tFP ${code}`);
        }
      }
      for (const code of want) {
        if (!have.has(code)) {
          scores[key].fn++;
          problems.push(`${msg.id}\t${key}\tFN ${code}`);
        }
      }
    }
  }
  const total: Score = { tp: 0, fp: 0, fn: 0 };
  const rows = ['key         P       R       F1      tp   fp   fn'];
  for (const key of KEYS) {
    const s = scores[key];
    total.tp += s.tp;
    total.fp += s.fp;
    total.fn += s.fn;
    rows.push(row(key, s));
  }
  rows.push(row('overall', total));
  process.stdout.write(`extraction corpus: ${corpus.length} messages\n${rows.join('\n')}\n`);
  if (verbose && problems.length > 0) process.stdout.write(`\n${problems.join('\n')}\n`);
}

function row(name: string, s: Score): string {
  const { p, r, f1 } = prf(s);
  return `${name.padEnd(10)}  ${p.toFixed(4)}  ${r.toFixed(4)}  ${f1.toFixed(4)}  ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}`;
}

if (process.argv[1] && /eval-extract\.ts$/.test(process.argv[1])) {
  await main();
}
