import type { NcciRow } from './parsers/parser.ts';

/**
 * NCCI PTP rows held compactly, column by column (a quarter's practitioner table is about 1.5
 * million rows): codes as base-36 integers (five characters of 0-9/A-Z, whose numeric order is
 * their text order), dates as YYYYMMDD integers (0 for none), the rationale as an index into a
 * list of distinct texts. About 30 bytes a row instead of several hundred for row objects.
 */
export class NcciRowSet {
  length = 0;
  c1 = new Int32Array(1024);
  c2 = new Int32Array(1024);
  eff = new Int32Array(1024);
  del = new Int32Array(1024);
  mod = new Uint8Array(1024);
  prior = new Uint8Array(1024);
  rat = new Uint32Array(1024);
  /** Database row id and until_key (0 for null) of rows read back from the database. */
  id = new Float64Array(1024);
  until = new Float64Array(1024);
  readonly rationales: string[] = [];
  private readonly rationaleIds = new Map<string, number>();

  /** Append a row; `id` and `until` only for rows read from the database. */
  push(row: NcciRow, id = 0, until = 0): void {
    if (this.length === this.c1.length) this.grow();
    const i = this.length;
    this.c1[i] = encodeCode(row.column1);
    this.c2[i] = encodeCode(row.column2);
    this.eff[i] = ymd(row.effectiveDate);
    this.del[i] = row.deletionDate ? ymd(row.deletionDate) : 0;
    this.mod[i] = Number(row.modifierIndicator);
    this.prior[i] = row.priorTo1996 ? 1 : 0;
    this.rat[i] = this.rationaleId(row.rationale);
    this.id[i] = id;
    this.until[i] = until;
    this.length += 1;
  }

  private rationaleId(text: string): number {
    let r = this.rationaleIds.get(text);
    if (r === undefined) {
      r = this.rationales.length;
      this.rationales.push(text);
      this.rationaleIds.set(text, r);
    }
    return r;
  }

  private grow(): void {
    const n = this.c1.length * 2;
    const widen = <T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.c1 = widen(this.c1);
    this.c2 = widen(this.c2);
    this.eff = widen(this.eff);
    this.del = widen(this.del);
    this.mod = widen(this.mod);
    this.prior = widen(this.prior);
    this.rat = widen(this.rat);
    this.id = widen(this.id);
    this.until = widen(this.until);
  }

  /** The row at a position, as the parser gave it. */
  row(i: number): NcciRow {
    return {
      column1: decodeCode(this.c1[i]), column2: decodeCode(this.c2[i]), priorTo1996: this.prior[i] === 1,
      effectiveDate: isoOf(this.eff[i])!, deletionDate: isoOf(this.del[i]), modifierIndicator: String(this.mod[i]), rationale: this.rationales[this.rat[i]],
    };
  }

  /** Order of two rows' keys (column 1, column 2, effective date), possibly of two sets. */
  compareKey(i: number, other: NcciRowSet, j: number): number {
    return this.c1[i] - other.c1[j] || this.c2[i] - other.c2[j] || this.eff[i] - other.eff[j];
  }

  /** Whether two rows with the same key say the same (deletion date, indicator, prior-1996 flag, rationale). */
  sameContent(i: number, other: NcciRowSet, j: number): boolean {
    return this.del[i] === other.del[j] && this.mod[i] === other.mod[j] && this.prior[i] === other.prior[j] && this.rationales[this.rat[i]] === other.rationales[other.rat[j]];
  }

  /** Whether the rows are in key order. */
  isSorted(): boolean {
    for (let i = 1; i < this.length; i += 1) if (this.compareKey(i - 1, this, i) > 0) return false;
    return true;
  }

  /** The rows at these positions, in this order, as a new set. */
  pick(order: ArrayLike<number>): NcciRowSet {
    const out = new NcciRowSet();
    for (let k = 0; k < order.length; k += 1) out.copyFrom(this, order[k]);
    return out;
  }

  private copyFrom(src: NcciRowSet, i: number): void {
    if (this.length === this.c1.length) this.grow();
    const j = this.length;
    this.c1[j] = src.c1[i];
    this.c2[j] = src.c2[i];
    this.eff[j] = src.eff[i];
    this.del[j] = src.del[i];
    this.mod[j] = src.mod[i];
    this.prior[j] = src.prior[i];
    this.rat[j] = this.rationaleId(src.rationales[src.rat[i]]);
    this.id[j] = src.id[i];
    this.until[j] = src.until[i];
    this.length += 1;
  }

  /** The rows in key order (this set when already sorted). */
  sorted(): NcciRowSet {
    if (this.isSorted()) return this;
    const order = new Uint32Array(this.length);
    for (let i = 0; i < order.length; i += 1) order[i] = i;
    order.sort((x, y) => this.compareKey(x, this, y) || x - y);
    return this.pick(order);
  }
}

/**
 * One row per key, for a set in key order. A real PTP file lists some (column 1, column 2,
 * effective date) keys twice: a row deleted on its own effective date with indicator 9 beside
 * the row still in force. The row in force (no deletion date) wins; between two ended rows, the
 * later deletion wins; on a tie the first listed stays. Returns the kept set and how many rows
 * were dropped.
 */
export function oneRowPerKey(set: NcciRowSet): { rows: NcciRowSet; duplicates: number } {
  const keep: number[] = [];
  for (let i = 0; i < set.length; i += 1) {
    const last = keep.length - 1;
    if (last >= 0 && set.compareKey(keep[last], set, i) === 0) {
      if (beats(set, i, keep[last])) keep[last] = i;
      continue;
    }
    keep.push(i);
  }
  const duplicates = set.length - keep.length;
  return { rows: duplicates === 0 ? set : set.pick(keep), duplicates };
}

function beats(set: NcciRowSet, challenger: number, holder: number): boolean {
  const a = set.del[challenger];
  const b = set.del[holder];
  if (b === 0) return false;
  return a === 0 || a > b;
}

const CODE_BASE = 36;

/** A five-character procedure code (0-9, A-Z) as an integer below 36^5. */
export function encodeCode(code: string): number {
  let n = 0;
  for (let i = 0; i < code.length; i += 1) {
    const c = code.charCodeAt(i);
    n = n * CODE_BASE + (c <= 57 ? c - 48 : c - 55);
  }
  return n;
}

export function decodeCode(n: number): string {
  let out = '';
  for (let i = 0; i < 5; i += 1) {
    const d = n % CODE_BASE;
    out = String.fromCharCode(d < 10 ? 48 + d : 55 + d) + out;
    n = Math.floor(n / CODE_BASE);
  }
  return out;
}

/** `2026-04-01` → 20260401. */
export function ymd(iso: string): number {
  return Number(iso.slice(0, 4)) * 10000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));
}

/** 20260401 → `2026-04-01`; 0 → null. */
export function isoOf(n: number): string | null {
  if (n === 0) return null;
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}
