/**
 * The labelled corpus of coder questions in test/fixtures/answers (format in its README) and how
 * a suggestion is scored against it: intents right, facts right, and the facts stated in the
 * answer. Shared by `npm run eval:answers` and the corpus's own unit test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTENTS, type Fact, type Intent, type Suggestion } from '../src/drafts/suggest/types.ts';

export interface ExpectedFact {
  kind: Fact['kind'];
  /** Identity of the fact: the pair, the code, the modifier, or the search. */
  key: string;
  /** The fields that must match (a subset of the contract's fields), as written in the label. */
  fields: Record<string, unknown>;
  /** For a search: codes that must be among the candidates (each entry: alternatives split by `|`). */
  anyOf?: string[][];
  /** For a code: children that must be listed. */
  children?: string[];
}

export interface LabelledQuestion {
  id: string;
  file: string;
  intents: Intent[];
  date: string | null;
  facts: ExpectedFact[];
  /** Substrings some `missing` entry must contain. */
  missing: string[];
  raw: string;
}

/** The key a fact is matched on. */
export function factKey(f: Fact): string {
  switch (f.kind) {
    case 'ncci':
      return `ncci:${[...f.codes].sort().join('+')}`;
    case 'mue':
      return `mue:${f.code}`;
    case 'code':
      return `code:${f.code}`;
    case 'modifier':
      return `modifier:${f.modifier}`;
    case 'search':
      return 'search';
  }
}

function parseFact(kind: string, value: string, where: string): ExpectedFact {
  const t = value.trim().split(/\s+/);
  switch (kind) {
    case 'ncci': {
      const [pair, edit] = value.split('|').map((s) => s.trim());
      const codes = pair.split(/\s+/);
      if (codes.length !== 2) throw new Error(`${where}: ncci needs two codes`);
      const key = `ncci:${[...codes].sort().join('+')}`;
      if (edit === 'none') return { kind: 'ncci', key, fields: { edit: false, column1: null, column2: null, modifierIndicator: null, inEffect: false } };
      const [c1, c2, mi, eff] = edit.split(/\s+/);
      if (!c1 || !c2 || !/^[019]$/.test(mi ?? '') || !/^(in|out)$/.test(eff ?? '')) throw new Error(`${where}: ncci edit must read "C1 C2 MI in|out"`);
      return { kind: 'ncci', key, fields: { edit: true, column1: c1, column2: c2, modifierIndicator: mi, inEffect: eff === 'in' } };
    }
    case 'mue': {
      const [code, v, ...rest] = t;
      const fields: Record<string, unknown> = { value: v === 'none' ? null : Number(v) };
      for (const r of rest) {
        if (r.startsWith('units=')) fields.unitsWritten = Number(r.slice(6));
        else if (r === 'exceeds') fields.exceeds = true;
        else if (r === 'within') fields.exceeds = false;
        else throw new Error(`${where}: unknown mue label "${r}"`);
      }
      if (!('unitsWritten' in fields)) fields.unitsWritten = null;
      if (!('exceeds' in fields)) fields.exceeds = null;
      return { kind: 'mue', key: `mue:${code}`, fields };
    }
    case 'code': {
      const [code, system, validity, ...rest] = t;
      const fields: Record<string, unknown> = { system, valid: validity === 'valid' };
      if (validity !== 'valid' && validity !== 'invalid') throw new Error(`${where}: code needs valid|invalid`);
      let children: string[] | undefined;
      for (const r of rest) {
        if (r === 'billable') fields.billable = true;
        else if (r === 'notbillable') fields.billable = false;
        else if (r === 'nobillable') fields.billable = null;
        else if (r === 'header') fields.header = true;
        else if (r.startsWith('children=')) children = r.slice(9).split(',');
        else throw new Error(`${where}: unknown code label "${r}"`);
      }
      if (!('header' in fields)) fields.header = false;
      return { kind: 'code', key: `code:${code}`, fields, children };
    }
    case 'modifier': {
      const [mod, code] = t;
      return { kind: 'modifier', key: `modifier:${mod}`, fields: { code: !code || code === '-' ? null : code } };
    }
    case 'search':
      return { kind: 'search', key: 'search', fields: {}, anyOf: value.split(',').map((s) => s.trim().split('|')).filter((a) => a[0]) };
    default:
      throw new Error(`${where}: unknown key ${kind}`);
  }
}

/** Parse one corpus file (records `=== id`, label lines, `---`, the raw message). */
export function parseAnswersCorpus(text: string, file: string): LabelledQuestion[] {
  const out: LabelledQuestion[] = [];
  for (const record of text.split(/^=== /m).slice(1)) {
    const nl = record.indexOf('\n');
    const id = record.slice(0, nl).trim();
    const sep = record.indexOf('\n---\n');
    if (sep < 0) throw new Error(`${file}: record ${id} has no --- line`);
    const q: LabelledQuestion = { id, file, intents: [], date: null, facts: [], missing: [], raw: record.slice(sep + 5).replace(/\n+$/, '\n') };
    for (const line of record.slice(nl + 1, sep).split('\n')) {
      const m = /^(\w[\w-]*):\s*(.*)$/.exec(line.trim());
      if (!m) continue;
      const where = `${file}: ${id}`;
      if (m[1] === 'intents') {
        q.intents = m[2].split(',').map((s) => s.trim()).filter(Boolean) as Intent[];
        const bad = q.intents.filter((i) => !(INTENTS as readonly string[]).includes(i));
        if (bad.length) throw new Error(`${where}: unknown intents ${bad.join(', ')}`);
      } else if (m[1] === 'date') q.date = m[2].trim();
      else if (m[1] === 'missing') q.missing.push(m[2].trim());
      else q.facts.push(parseFact(m[1], m[2], where));
    }
    if (q.intents.length === 0) throw new Error(`${file}: record ${id} has no intents`);
    out.push(q);
  }
  return out;
}

/** Every labelled question under a folder (`*.txt`, sorted by file name). */
export function loadAnswersCorpus(dir: string): LabelledQuestion[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().flatMap((f) => parseAnswersCorpus(readFileSync(join(dir, f), 'utf8'), f));
}

export interface QuestionScore {
  intentsRight: boolean;
  factsRight: boolean;
  stated: boolean;
  problems: string[];
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Score one suggestion. Intents: the same set. Facts: the same facts (by kind and codes), with
 * every labelled field equal; a search fact needs its labelled codes among the candidates.
 * Stated: every fact's key values appear in the answer (see {@link statedProblems}).
 */
export function scoreSuggestion(q: LabelledQuestion, s: Suggestion): QuestionScore {
  const problems: string[] = [];
  const intentsRight = sameSet(q.intents, s.intents);
  if (!intentsRight) problems.push(`intents ${s.intents.join(',')} (expected ${q.intents.join(',')})`);
  const got = new Map(s.facts.map((f) => [factKey(f), f]));
  const want = new Map(q.facts.map((f) => [f.key, f]));
  for (const key of got.keys()) if (!want.has(key)) problems.push(`extra fact ${key}`);
  for (const [key, e] of want) {
    const f = got.get(key) as Record<string, unknown> | undefined;
    if (!f) {
      problems.push(`missing fact ${key}`);
      continue;
    }
    for (const [field, value] of Object.entries(e.fields)) if (f[field] !== value) problems.push(`${key}.${field} = ${JSON.stringify(f[field])} (expected ${JSON.stringify(value)})`);
    for (const c of e.children ?? []) if (!(f.children as string[]).includes(c)) problems.push(`${key}: child ${c} not listed`);
    for (const alts of e.anyOf ?? []) if (!alts.some((c) => (f.codes as string[]).includes(c))) problems.push(`${key}: none of ${alts.join('|')} among ${(f.codes as string[]).join(',')}`);
  }
  for (const m of q.missing) if (!s.missing.some((x) => x.toLowerCase().includes(m.toLowerCase()))) problems.push(`missing[] lacks "${m}"`);
  const factsRight = !problems.some((p) => !p.startsWith('intents') && !p.startsWith('not stated'));
  const unstated = statedProblems(s);
  problems.push(...unstated);
  return { intentsRight, factsRight, stated: unstated.length === 0, problems };
}

const has = (text: string, s: string) => text.includes(s);

/**
 * Which facts the answer does not state. Mechanical: each fact's key values must appear in the
 * answer text, with the release it came from.
 * - ncci: both codes; with an edit in effect `column 1 A`, `column 2 B` and `indicator N`; else
 *   "no NCCI PTP edit"; and an `NCCI PTP <version>` label.
 * - mue: the code; `<value> unit` (or "no MUE"); the units written; "more than" when exceeded;
 *   and an `MUE <version>` label.
 * - code: the code; "valid"/"not valid"/"not yet valid"/"not checked" as the fact says; "header"
 *   or "7th character" for a header, with its first three children; the code set's label.
 * - modifier: the modifier and the code it is on.
 * - search: every candidate code.
 */
export function statedProblems(s: Suggestion): string[] {
  const a = s.answer ?? '';
  const out: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) out.push(`not stated: ${what}`);
  };
  for (const f of s.facts) {
    if (f.kind === 'ncci') {
      need(has(a, f.codes[0]) && has(a, f.codes[1]), `ncci codes ${f.codes.join('+')}`);
      if (f.edit && f.inEffect) need(has(a, `column 1 ${f.column1}`) && has(a, `column 2 ${f.column2}`) && has(a, `indicator ${f.modifierIndicator}`), `ncci edit ${f.column1}/${f.column2}`);
      else need(/no NCCI PTP edit/.test(a), `no ncci edit ${f.codes.join('+')}`);
      need(/NCCI PTP \S+, effective \d{4}-\d{2}-\d{2}/.test(a), 'NCCI release');
    } else if (f.kind === 'mue') {
      need(has(a, f.code), `mue code ${f.code}`);
      need(f.value === null ? /no MUE/.test(a) : has(a, `${f.value} unit`), `mue value ${f.code}`);
      if (f.unitsWritten !== null) need(has(a, `${f.unitsWritten} unit`), `units written ${f.code}`);
      if (f.exceeds) need(has(a, 'more than the MUE'), `exceeds ${f.code}`);
      need(/MUE \S+, effective \d{4}-\d{2}-\d{2}/.test(a), 'MUE release');
    } else if (f.kind === 'code') {
      need(has(a, f.code), `code ${f.code}`);
      const unchecked = has(a, `${f.code} is a CPT code. No CPT release is loaded`);
      if (f.valid) need(unchecked || has(a, `${f.code} is a valid`) || has(a, `${f.code} is not billable as written`) || has(a, `${f.code} is a header`), `valid ${f.code}`);
      else need(has(a, `${f.code} is not valid`) || has(a, `${f.code} is not yet valid`) || has(a, `${f.code} is not a valid`), `not valid ${f.code}`);
      if (f.header) for (const c of f.children.slice(0, 3)) need(has(a, c), `child ${c} of ${f.code}`);
      if (!unchecked) need(/(ICD-10-CM|ICD-10-PCS|HCPCS|CPT) \S+, effective \d{4}-\d{2}-\d{2}/.test(a), `release of ${f.code}`);
    } else if (f.kind === 'modifier') {
      need(new RegExp(`\\b${f.modifier}\\b`).test(a) && (f.code === null || has(a, f.code)), `modifier ${f.modifier}`);
    } else {
      for (const c of f.codes) need(has(a, c), `candidate ${c}`);
    }
  }
  return out;
}
