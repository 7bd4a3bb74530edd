import { describe, expect, it } from 'vitest';
import { ncciDelta } from '../../../src/codes/ncci-delta.ts';
import { decodeCode, encodeCode, NcciRowSet, oneRowPerKey } from '../../../src/codes/ncci-rows.ts';
import { NcciParser } from '../../../src/codes/parsers/ncci-mue.ts';
import type { NcciRow } from '../../../src/codes/parsers/parser.ts';

const row = (column1: string, column2: string, effectiveDate: string, deletionDate: string | null, modifierIndicator = '1', rationale = 'Mutually exclusive procedures'): NcciRow =>
  ({ column1, column2, priorTo1996: false, effectiveDate, deletionDate, modifierIndicator, rationale });

function setOf(rows: NcciRow[]): NcciRowSet {
  const s = new NcciRowSet();
  for (const r of rows) s.push(r);
  return s;
}

function rowsOf(s: NcciRowSet): NcciRow[] {
  return Array.from({ length: s.length }, (_, i) => s.row(i));
}

describe('NCCI rows held compactly', () => {
  it('reads a usual PTP line straight into the set exactly as the parser reads it, and leaves anything else to the parser', () => {
    const lines = [
      '97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures',
      '36415\t36416\t*\t19960101\t20240229\t0\tMisuse of column two code with column one code ',
      '0275T\tG0283\t\t20230101\t20250101\t9\tCPT Manual or CMS manual coding instructions',
    ];
    const fast = new NcciRowSet();
    const slow = new NcciRowSet();
    const parser = new NcciParser();
    for (const [i, text] of lines.entries()) {
      expect(fast.appendLine(text)).toBe(true);
      parser.line({ text, lineNo: i + 1, bytesRead: 0 }, { row: (r) => slow.push(r), reject: () => { throw new Error(text); } });
    }
    expect(rowsOf(fast)).toEqual(rowsOf(slow));
    for (const odd of [
      '97140 \t97530\t\t20200101\t*\t1\tx', // padded code
      '97140\t97530\tY\t20200101\t*\t1\tx', // another prior flag spelling
      '97140\t97530\t\t20250229\t*\t1\tx', // not a date
      '97140\t97530\t\t20200101\t*\t5\tx', // bad indicator
      '97140\t97530\t\t20200101\t*\t1', // no rationale column
      '97140\t97530\t\t20200101\t*\t1\tx\ty', // a tab in the rationale
      '9714a\t97530\t\t20200101\t*\t1\tx', // lower case
    ]) expect(fast.appendLine(odd), odd).toBe(false);
    expect(fast.length).toBe(3);
  });

  it('encodes codes so that their numeric order is their text order', () => {
    const codes = ['0001A', '0275T', '20610', '97140', 'G0283', 'ZZZZZ', '00000'];
    for (const c of codes) expect(decodeCode(encodeCode(c))).toBe(c);
    const byNumber = [...codes].sort((a, b) => encodeCode(a) - encodeCode(b));
    expect(byNumber).toEqual([...codes].sort());
  });

  it('keeps the row in force when a key is listed twice, else the later deletion', () => {
    const set = setOf([
      row('97140', '97530', '2020-01-01', '2020-01-01', '9'),
      row('29125', '29105', '2010-01-01', null, '0'),
      row('97140', '97530', '2020-01-01', null, '1'),
      row('99213', 'G0283', '2023-01-01', '2025-01-01', '1'),
      row('99213', 'G0283', '2023-01-01', '2024-01-01', '9'),
      row('97110', '97530', '2026-04-01', null, '1'),
      row('97110', '97530', '2026-04-01', '2026-04-01', '9'),
    ]);
    const { rows, duplicates } = oneRowPerKey(set.sorted());
    expect(duplicates).toBe(3);
    expect(rowsOf(rows).map((r) => [r.column1, r.column2, r.deletionDate, r.modifierIndicator])).toEqual([
      ['29125', '29105', null, '0'],
      ['97110', '97530', null, '1'],
      ['97140', '97530', null, '1'],
      ['99213', 'G0283', '2025-01-01', '1'],
    ]);
  });
});

/** A model of the ncci_edit table: versions valid from one release key up to another. */
interface Stored {
  id: number;
  row: NcciRow;
  from: number;
  until: number | null;
}

class Store {
  rows: Stored[] = [];
  private nextId = 1;

  stateAt(key: number): NcciRowSet {
    const s = new NcciRowSet();
    for (const r of this.rows) if (r.from <= key && (r.until === null || r.until > key)) s.pushFields(r.row.column1, r.row.column2, r.row.priorTo1996, r.row.effectiveDate, r.row.deletionDate, r.row.modifierIndicator, r.row.rationale, r.id, r.until ?? 0);
    return s.sorted();
  }

  /** Import one release (its key and rows) the way importNcci does. */
  apply(keys: number[], m: number, rows: NcciRow[]): void {
    const p = keys.filter((k) => k < m).at(-1) ?? null;
    const n = keys.find((k) => k > m) ?? null;
    const mSet = oneRowPerKey(setOf(rows).sorted()).rows;
    const pSet = p === null ? null : this.stateAt(p);
    const nSet = n === null ? null : this.stateAt(n);
    const d = ncciDelta(mSet, pSet, nSet);
    const byId = new Map(this.rows.map((r) => [r.id, r]));
    for (const id of d.close) byId.get(id)!.until = m;
    for (const j of d.copies) this.rows.push({ id: this.nextId++, row: pSet!.row(j), from: n!, until: pSet!.until[j] === 0 ? null : pSet!.until[j] });
    for (const id of d.extend) byId.get(id)!.from = m;
    for (const i of d.insert) this.rows.push({ id: this.nextId++, row: mSet.row(i), from: m, until: n });
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRelease(random: () => number): NcciRow[] {
  const out: NcciRow[] = [];
  for (let k = 0; k < 40; k += 1) {
    if (random() < 0.3) continue;
    const c1 = String(10000 + (k % 8)).padStart(5, '0');
    const c2 = String(20000 + Math.floor(k / 8)).padStart(5, '0');
    const deleted = random() < 0.2 ? '2025-06-01' : null;
    out.push(row(c1, c2, '2020-01-01', deleted, random() < 0.5 ? '0' : '1'));
  }
  return out;
}

describe('NCCI releases stored as versions', () => {
  it('counts added, changed and ended against the release before', () => {
    const p = setOf([row('10000', '20000', '2020-01-01', null), row('10001', '20000', '2020-01-01', null), row('10002', '20000', '2020-01-01', null)]);
    const m = setOf([row('10000', '20000', '2020-01-01', null), row('10001', '20000', '2020-01-01', '2026-04-01'), row('10003', '20000', '2020-01-01', null)]);
    p.id.set([1, 2, 3]);
    const d = ncciDelta(m, p, null);
    expect([d.added, d.changed, d.ended]).toEqual([1, 1, 1]);
    expect(d.close).toEqual([2, 3]);
    expect(d.insert).toEqual([1, 2]);
    expect(d.copies).toEqual([]);
  });

  it('answers every release with exactly its own rows, whatever order the releases are imported in', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const random = rng(seed);
      const releases = Array.from({ length: 5 }, (_, i) => ({ key: (i + 1) * 10, rows: randomRelease(random) }));
      const order = [...releases].sort(() => random() - 0.5);
      const store = new Store();
      const imported: number[] = [];
      for (const r of order) {
        store.apply([...imported].sort((a, b) => a - b), r.key, r.rows);
        imported.push(r.key);
        for (const k of imported) {
          const expected = oneRowPerKey(setOf(releases.find((x) => x.key === k)!.rows).sorted()).rows;
          expect(rowsOf(store.stateAt(k)), `seed ${seed}, release ${k}`).toEqual(rowsOf(expected));
        }
      }
    }
  });

  it('writes only what changed when the newest quarter changes a few rows', () => {
    const base = Array.from({ length: 200 }, (_, i) => row(String(10000 + i), '20000', '2020-01-01', null));
    const next = base.map((r, i) => (i % 50 === 0 ? { ...r, modifierIndicator: '0' } : r));
    const store = new Store();
    store.apply([], 10, base);
    store.apply([10], 20, next);
    expect(store.rows).toHaveLength(204);
  });
});
