/**
 * `npm run eval:phi`: precision and recall of the PHI guard per kind on the labelled corpus in
 * test/fixtures/phi (format in its README). Each input goes through the same path as
 * `casedesk phi` (new text as the pipeline takes it, the sender's address from From:).
 *
 * - exact: a found span matches a label of the same kind with the same text (surrounding
 *   punctuation and white space ignored), each label at most once;
 * - covered: a label counts as covered when every letter and digit of it lies inside some found
 *   span, whatever its kind: what redaction actually removes;
 * - keep: a `keep:` text (code, NPI, date of service) overlapped by any found span is a violation.
 * `--verbose` lists every miss, false hit and violation; `--only=<id prefix>` scores a subset.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPhiInput } from '../src/cli/commands/phi.ts';
import { findPhi, PHI_KINDS, type PhiKind, type PhiSpan } from '../src/privacy/index.ts';

export interface PhiLabel {
  kind: PhiKind;
  text: string;
}

export interface LabelledPhiMessage {
  id: string;
  file: string;
  spans: PhiLabel[];
  keep: string[];
  uncuedNames: string[];
  raw: string;
}

/** Parse one corpus file into labelled messages. */
export function parsePhiCorpus(text: string, file: string): LabelledPhiMessage[] {
  const out: LabelledPhiMessage[] = [];
  for (const record of text.split(/^=== /m).slice(1)) {
    const nl = record.indexOf('\n');
    const id = record.slice(0, nl).trim();
    const sep = record.indexOf('\n---\n');
    if (sep < 0) throw new Error(`${file}: record ${id} has no --- line`);
    const msg: LabelledPhiMessage = { id, file, spans: [], keep: [], uncuedNames: [], raw: record.slice(sep + 5).replace(/\n+$/, '\n') };
    for (const line of record.slice(nl + 1, sep).split('\n')) {
      const m = /^([\w-]+):\s*(.*?)\s*$/.exec(line);
      if (!m || m[2] === '') continue;
      const [, key, value] = m as unknown as [string, string, string];
      if (key === 'keep') msg.keep.push(value);
      else if (key === 'uncued-name') msg.uncuedNames.push(value);
      else if ((PHI_KINDS as readonly string[]).includes(key)) msg.spans.push({ kind: key as PhiKind, text: value });
      else throw new Error(`${file}: record ${id}: unknown key ${key}`);
    }
    out.push(msg);
  }
  return out;
}

/** Every labelled message under a folder, files in name order. */
export function loadPhiCorpus(dir: string): LabelledPhiMessage[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .flatMap((f) => parsePhiCorpus(readFileSync(join(dir, f), 'utf8'), f));
}

export interface KindScore {
  tp: number;
  fp: number;
  fn: number;
  covered: number;
}

export interface PhiEvaluation {
  messages: number;
  byKind: Record<PhiKind, KindScore>;
  keepChecked: number;
  keepViolations: number;
  uncued: { total: number; covered: number };
  problems: string[];
}

const norm = (s: string): string => s.replace(/^[\s.,;:()"'[\]]+|[\s.,;:()"'[\]]+$/g, '');

/** Score the guard on labelled messages. */
export async function evaluatePhi(corpus: LabelledPhiMessage[]): Promise<PhiEvaluation> {
  const byKind = Object.fromEntries(PHI_KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0, covered: 0 }])) as Record<PhiKind, KindScore>;
  const result: PhiEvaluation = { messages: corpus.length, byKind, keepChecked: 0, keepViolations: 0, uncued: { total: 0, covered: 0 }, problems: [] };
  for (const msg of corpus) {
    const { newText, senderAddress } = await readPhiInput(msg.raw);
    const found = findPhi(newText, { senderAddress });
    scoreExact(msg, found, result);
    scoreCoverage(msg, newText, found, result);
    scoreKeep(msg, newText, found, result);
  }
  return result;
}

function scoreExact(msg: LabelledPhiMessage, found: PhiSpan[], result: PhiEvaluation): void {
  const open = [...msg.spans];
  for (const span of found) {
    const i = open.findIndex((l) => l.kind === span.kind && norm(l.text) === norm(span.text));
    if (i >= 0) {
      result.byKind[span.kind].tp++;
      open.splice(i, 1);
    } else {
      result.byKind[span.kind].fp++;
      result.problems.push(`${msg.id}\t${span.kind}\tFP ${JSON.stringify(span.text)}`);
    }
  }
  for (const label of open) {
    result.byKind[label.kind].fn++;
    result.problems.push(`${msg.id}\t${label.kind}\tFN ${JSON.stringify(label.text)}`);
  }
}

/** Occurrences of `needle` in `text` that do not sit inside a longer word or number. */
function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + needle.length] ?? ' ';
    if (/[A-Za-z0-9]/.test(needle[0]!) && /[A-Za-z0-9]/.test(before)) continue;
    if (/[A-Za-z0-9]/.test(needle[needle.length - 1]!) && /[A-Za-z0-9]/.test(after)) continue;
    out.push(at);
  }
  return out;
}

function isCovered(text: string, at: number, length: number, found: PhiSpan[]): boolean {
  for (let i = at; i < at + length; i++) {
    if (!/[A-Za-z0-9]/.test(text[i]!)) continue;
    if (!found.some((s) => s.start <= i && i < s.end)) return false;
  }
  return true;
}

/**
 * Coverage per label. A text labelled more than once (or also as an uncued name) occurs more than
 * once: labels take the covered occurrences first, uncued names what is left.
 */
function scoreCoverage(msg: LabelledPhiMessage, text: string, found: PhiSpan[], result: PhiEvaluation): void {
  const pools = new Map<string, boolean[]>();
  const take = (needle: string, where: string): boolean | null => {
    let pool = pools.get(needle);
    if (!pool) {
      pool = occurrences(text, needle).map((at) => isCovered(text, at, needle.length, found)).sort((a, b) => Number(b) - Number(a));
      pools.set(needle, pool);
      if (pool.length === 0) result.problems.push(`${msg.id}\t${where}\tLABEL NOT IN NEW TEXT ${JSON.stringify(needle)}`);
    }
    return pool.length === 0 ? null : pool.length === 1 ? pool[0]! : pool.shift()!;
  };
  for (const label of msg.spans) if (take(label.text, label.kind)) result.byKind[label.kind].covered++;
  for (const name of msg.uncuedNames) {
    result.uncued.total++;
    if (take(name, 'uncued-name')) result.uncued.covered++;
  }
}

function scoreKeep(msg: LabelledPhiMessage, text: string, found: PhiSpan[], result: PhiEvaluation): void {
  for (const keep of msg.keep) {
    const all = occurrences(text, keep);
    if (all.length === 0) result.problems.push(`${msg.id}\tkeep\tLABEL NOT IN NEW TEXT ${JSON.stringify(keep)}`);
    for (const at of all) {
      result.keepChecked++;
      if (found.some((s) => s.start < at + keep.length && at < s.end)) {
        result.keepViolations++;
        result.problems.push(`${msg.id}\tkeep\tMARKED ${JSON.stringify(keep)}`);
      }
    }
  }
}

/** Precision and recall (1 when there is nothing to count). */
export function precisionRecall(s: { tp: number; fp: number; fn: number }): { p: number; r: number } {
  return { p: s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp), r: s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn) };
}

/** The report printed by `npm run eval:phi`. */
export function formatEvaluation(e: PhiEvaluation): string {
  const rows = ['kind        P       R       covered   tp   fp   fn  labels'];
  const total = { tp: 0, fp: 0, fn: 0, covered: 0 };
  for (const kind of PHI_KINDS) {
    const s = e.byKind[kind];
    for (const k of ['tp', 'fp', 'fn', 'covered'] as const) total[k] += s[k];
    rows.push(row(kind, s));
  }
  rows.push(row('overall', total));
  const labels = total.tp + total.fn;
  return [
    `PHI corpus: ${e.messages} messages, ${labels} identifier spans`,
    ...rows,
    `identifier spans covered: ${total.covered}/${labels} (${pct(total.covered, labels)})`,
    `keep (codes, NPIs, dates of service): ${e.keepViolations} of ${e.keepChecked} marked`,
    `names without a cue (outside the contract): ${e.uncued.covered}/${e.uncued.total} covered`,
  ].join('\n');
}

function row(name: string, s: KindScore): string {
  const { p, r } = precisionRecall(s);
  const labels = s.tp + s.fn;
  return `${name.padEnd(10)}  ${p.toFixed(4)}  ${r.toFixed(4)}  ${pct(s.covered, labels).padStart(7)}  ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}  ${String(labels).padStart(6)}`;
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'phi');
  const prefix = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const corpus = loadPhiCorpus(dir).filter((m) => !prefix || m.id.startsWith(prefix));
  const evaluation = await evaluatePhi(corpus);
  process.stdout.write(`${formatEvaluation(evaluation)}\n`);
  if (process.argv.includes('--verbose') && evaluation.problems.length > 0) process.stdout.write(`\n${evaluation.problems.join('\n')}\n`);
}

if (process.argv[1] && /eval-phi\.ts$/.test(process.argv[1])) {
  await main();
}
