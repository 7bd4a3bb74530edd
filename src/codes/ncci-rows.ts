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

  /** Append a row as the parser gives it. */
  push(row: NcciRow): void {
    this.pushFields(row.column1, row.column2, row.priorTo1996, row.effectiveDate, row.deletionDate, row.modifierIndicator, row.rationale, 0, 0);
  }

  /** Append a row field by field; `id` and `until` (0 for none) for rows read from the database. */
  pushFields(column1: string, column2: string, prior: boolean, effectiveDate: string, deletionDate: string | null, modifier: string, rationale: string, id: number, until: number): void {
    if (this.length === this.c1.length) this.grow();
    const i = this.length;
    this.c1[i] = encodeCode(column1);
    this.c2[i] = encodeCode(column2);
    this.eff[i] = ymd(effectiveDate);
    this.del[i] = deletionDate ? ymd(deletionDate) : 0;
    this.mod[i] = modifier.charCodeAt(0) - 48;
    this.prior[i] = prior ? 1 : 0;
    this.rat[i] = this.rationaleId(rationale);
    this.id[i] = id;
    this.until[i] = until;
    this.length += 1;
  }

  /**
   * Append a data line of the usual shape straight from its text (seven tab-separated fields,
   * five-character codes, `*` or blank prior flag, YYYYMMDD dates or `*`, indicator 0/1/9):
   * no field strings, no row object, for the million-row files. Returns false, appending
   * nothing, for anything else: the parser then reads the line and rejects it or names the fault.
   */
  appendLine(text: string, id = 0, until = 0): boolean {
    const t1 = text.indexOf('\t');
    const t2 = text.indexOf('\t', t1 + 1);
    const t3 = text.indexOf('\t', t2 + 1);
    const t4 = text.indexOf('\t', t3 + 1);
    const t5 = text.indexOf('\t', t4 + 1);
    const t6 = text.indexOf('\t', t5 + 1);
    if (t1 !== 5 || t2 !== 11 || t6 < 0 || text.indexOf('\t', t6 + 1) >= 0) return false;
    const c1 = codeAt(text, 0);
    const c2 = codeAt(text, 6);
    const priorLen = t3 - t2 - 1;
    const prior = priorLen === 0 ? 0 : priorLen === 1 && text.charCodeAt(t2 + 1) === 42 ? 1 : -1;
    const eff = t4 - t3 === 9 ? dateAt(text, t3 + 1) : -1;
    const del = t5 - t4 === 2 && text.charCodeAt(t4 + 1) === 42 ? 0 : t5 - t4 === 9 ? dateAt(text, t4 + 1) : -1;
    const mod = t6 - t5 === 2 ? text.charCodeAt(t5 + 1) - 48 : -1;
    if (c1 < 0 || c2 < 0 || prior < 0 || eff <= 0 || del < 0 || (mod !== 0 && mod !== 1 && mod !== 9)) return false;
    if (this.length === this.c1.length) this.grow();
    const i = this.length;
    this.c1[i] = c1;
    this.c2[i] = c2;
    this.eff[i] = eff;
    this.del[i] = del;
    this.mod[i] = mod;
    this.prior[i] = prior;
    this.rat[i] = this.rationaleId(text.slice(t6 + 1).trim());
    this.id[i] = id;
    this.until[i] = until;
    this.length += 1;
    return true;
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

  /**
   * The rows in key order (this set when already sorted). Stored rows come back as a few sorted
   * runs (one per import that wrote them), so runs are found and merged pairwise: O(n log runs),
   * stable (equal keys keep their order).
   */
  sorted(): NcciRowSet {
    let runs: Uint32Array[] = [];
    let start = 0;
    for (let i = 1; i <= this.length; i += 1) {
      if (i === this.length || this.compareKey(i - 1, this, i) > 0) {
        runs.push(Uint32Array.from({ length: i - start }, (_, k) => start + k));
        start = i;
      }
    }
    if (runs.length <= 1) return this;
    while (runs.length > 1) {
      const next: Uint32Array[] = [];
      for (let r = 0; r < runs.length; r += 2) next.push(r + 1 < runs.length ? this.merge(runs[r], runs[r + 1]) : runs[r]);
      runs = next;
    }
    return this.pick(runs[0]);
  }

  private merge(a: Uint32Array, b: Uint32Array): Uint32Array {
    const out = new Uint32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) out[k++] = this.compareKey(b[j], this, a[i]) < 0 ? b[j++] : a[i++];
    while (i < a.length) out[k++] = a[i++];
    while (j < b.length) out[k++] = b[j++];
    return out;
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

/** The five-character code at a position as an integer (see encodeCode), or -1 when it is not 0-9/A-Z. */
export function codeAt(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 5; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n = n * CODE_BASE + (c - 48);
    else if (c >= 65 && c <= 90) n = n * CODE_BASE + (c - 55);
    else return -1;
  }
  return n;
}

const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The YYYYMMDD date at a position as an integer, or -1 when it is not a date (29 February checked for leap years). */
export function dateAt(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 8; i += 1) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  const year = Math.floor(n / 10000);
  const month = Math.floor(n / 100) % 100;
  const day = n % 100;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DAYS[month]) return -1;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return -1;
  return n;
}

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

/** `2026-04-01` → 20260401 (digits read in place: millions of dates per import). */
export function ymd(iso: string): number {
  let n = 0;
  for (let i = 0; i < 10; i += 1) {
    const c = iso.charCodeAt(i);
    if (c !== 45) n = n * 10 + (c - 48);
  }
  return n;
}

/** 20260401 → `2026-04-01`; 0 → null. */
export function isoOf(n: number): string | null {
  if (n === 0) return null;
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}
