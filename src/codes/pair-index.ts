import type { EntityManager } from '@mikro-orm/core';
import { logSafeError } from '../shared/log-safe-error.ts';
import { codeAt, dateAt, isoOf } from './ncci-rows.ts';
import { databaseKey, isPostgres, query } from './sql.ts';

type Row = Record<string, unknown>;

/** Rows read per round trip while an index is built (one aggregated text per page: about 1 MB). */
const PAGE = 20_000;
/** Rows that may be added between counting and reading (an import running meanwhile); more gives up. */
const SLACK = 10_000;
const FIVE = 36 ** 5;
/** Distinct rationales, dates and release keys an index can number (Uint16 columns). */
const MAX_DISTINCT = 65_535;

/**
 * Every stored NCCI PTP edit (every version of every release) held in one process, so a pair is
 * answered without a round trip. 24 bytes a row in typed arrays, in the order the rows were read,
 * plus an order by pair: a 1.5-million-row quarter and its 1 % update take 36 MB. A
 * pair's key is its two five-character codes in base 36 (column 1 × 36⁵ + column 2, exact in a
 * double). Dates, rationales and release keys are numbered (0 is "none"). An index answers only
 * for the NCCI releases stored when it was built (`chain`: their ids and checksums).
 */
export class PairIndex {
  constructor(
    readonly chain: string,
    readonly rows: number,
    private readonly c: IndexColumns,
  ) {}

  /** Bytes held by the typed arrays (the strings of the dictionaries are small). */
  get bytes(): number {
    return Object.values(this.c).reduce((sum, a) => sum + (ArrayBuffer.isView(a) ? a.byteLength : 0), 0);
  }

  /** Every stored version of the pair, in either order, as the database gives the row (the columns of ncci-mue.ts's pair query). */
  versions(a: string, b: string): Row[] {
    const out: Row[] = [];
    const x = codeNumber(a);
    const y = codeNumber(b);
    if (x < 0 || y < 0) return out;
    this.collect(x * FIVE + y, a, b, out);
    if (x !== y) this.collect(y * FIVE + x, b, a, out);
    return out;
  }

  private collect(key: number, column1: string, column2: string, out: Row[]): void {
    const { keys, order, eff, del, mod, prior, rat, from, until, dates, rationales, releaseKeys } = this.c;
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[order[mid]] < key) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.rows && keys[order[k]] === key; k += 1) {
      const i = order[k];
      out.push({
        column1, column2, prior_to1996: prior[i] === 1, effective_date: dates[eff[i]], deletion_date: del[i] === 0 ? null : dates[del[i]],
        modifier_indicator: String.fromCharCode(mod[i]), rationale: rationales[rat[i]], from_key: releaseKeys[from[i]], until_key: until[i] === 0 ? null : releaseKeys[until[i]],
      });
    }
  }
}

interface IndexColumns {
  keys: Float64Array;
  order: Uint32Array;
  eff: Uint16Array;
  del: Uint16Array;
  mod: Uint8Array;
  prior: Uint8Array;
  rat: Uint16Array;
  from: Uint16Array;
  until: Uint16Array;
  /** Index 0 of each dictionary is "none". */
  dates: (string | null)[];
  rationales: string[];
  releaseKeys: (number | null)[];
}

/** A five-character code of 0-9/A-Z (between two positions) as a number below 36⁵, or -1 for anything else. */
function codeNumber(code: string, at = 0, end = code.length): number {
  return end - at === 5 ? codeAt(code, at) : -1;
}

/** Numbers distinct values from 1 (0 is "none"); -1 past MAX_DISTINCT. */
class NumberDictionary<T> {
  readonly values: (T | null)[] = [null];
  private readonly ids = new Map<number, number>();

  /** The id of `n`; `value` makes its stored form the first time it is seen. */
  id(n: number, value: (n: number) => T): number {
    let id = this.ids.get(n);
    if (id === undefined) {
      id = this.values.length;
      if (id > MAX_DISTINCT) return -1;
      this.values.push(value(n));
      this.ids.set(n, id);
    }
    return id;
  }
}

/** Numbers distinct texts found inside a larger one (by a hash of their characters: no substring per row); -1 past MAX_DISTINCT. */
class TextDictionary {
  readonly values: string[] = [];
  private readonly byHash = new Map<number, number[]>();

  id(s: string, from: number, to: number): number {
    let h = to - from;
    for (let i = from; i < to; i += 1) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    const ids = this.byHash.get(h);
    for (const id of ids ?? []) if (this.values[id].length === to - from && s.startsWith(this.values[id], from)) return id;
    if (this.values.length >= MAX_DISTINCT) return -1;
    const id = this.values.length;
    // A copy, not a slice: a slice would keep the whole page of text alive.
    this.values.push(Buffer.from(s.slice(from, to)).toString());
    if (ids) ids.push(id);
    else this.byHash.set(h, [id]);
    return id;
  }
}

/** The digits between two positions as a number, or -1 when there are none or another character. */
function digitsAt(s: string, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** A YYYYMMDD date between two positions as a number, or -1. */
function dateBetween(s: string, from: number, to: number): number {
  return to - from === 8 ? dateAt(s, from) : -1;
}

const isoDate = (n: number): string => isoOf(n)!;

/**
 * Fills the columns from the pages of text the database hands over (see pageSql), read in place:
 * no string or object per row, so a build holds little more than the arrays it fills.
 */
class IndexBuilder {
  length = 0;
  readonly keys: Float64Array;
  readonly eff: Uint16Array;
  readonly del: Uint16Array;
  readonly mod: Uint8Array;
  readonly prior: Uint8Array;
  readonly rat: Uint16Array;
  readonly from: Uint16Array;
  readonly until: Uint16Array;
  private readonly dates = new NumberDictionary<string>();
  private readonly rationales = new TextDictionary();
  private readonly releaseKeys = new NumberDictionary<number>();
  private readonly tabs: number[] = [];

  constructor(readonly capacity: number) {
    this.keys = new Float64Array(capacity);
    this.eff = new Uint16Array(capacity);
    this.del = new Uint16Array(capacity);
    this.mod = new Uint8Array(capacity);
    this.prior = new Uint8Array(capacity);
    this.rat = new Uint16Array(capacity);
    this.from = new Uint16Array(capacity);
    this.until = new Uint16Array(capacity);
  }

  /**
   * Add a page (see pageSql): its rationales (`number TAB text` records) and its lines, records
   * separated by \x1e. False when a line does not fit (see add).
   */
  addPage(rationales: string, body: string): boolean {
    const ids: number[] = [];
    for (const [at, end] of records(rationales)) {
      const tab = rationales.indexOf('\t', at);
      const n = tab < 0 || tab > end ? -1 : digitsAt(rationales, at, tab);
      const id = n < 0 ? -1 : this.rationales.id(rationales, tab + 1, end);
      if (id < 0) return false;
      ids[n] = id;
    }
    for (const [at, end] of records(body)) if (!this.add(body, at, end, ids)) return false;
    return true;
  }

  /** Add one line (see lineSql): column1, column2, prior (0/1), effective and deletion dates as YYYYMMDD (deletion empty for none), indicator, from key, until key (or empty), the page's number of its rationale. */
  private add(s: string, at: number, end: number, rationaleIds: number[]): boolean {
    const t = this.tabs;
    t.length = 0;
    for (let i = s.indexOf('\t', at); i >= 0 && i < end && t.length < 8; i = s.indexOf('\t', i + 1)) t.push(i);
    if (t.length < 8 || this.length === this.capacity || t[5] !== t[4] + 2) return false;
    const c1 = codeNumber(s, at, t[0]);
    const c2 = codeNumber(s, t[0] + 1, t[1]);
    const effDate = dateBetween(s, t[2] + 1, t[3]);
    const delDate = t[4] === t[3] + 1 ? 0 : dateBetween(s, t[3] + 1, t[4]);
    const fromKey = digitsAt(s, t[5] + 1, t[6]);
    const untilKey = t[7] === t[6] + 1 ? 0 : digitsAt(s, t[6] + 1, t[7]);
    if (c1 < 0 || c2 < 0 || effDate < 0 || delDate < 0 || fromKey < 0 || untilKey < 0) return false;
    const eff = this.dates.id(effDate, isoDate);
    const del = delDate === 0 ? 0 : this.dates.id(delDate, isoDate);
    const from = this.releaseKeys.id(fromKey, Number);
    const until = untilKey === 0 ? 0 : this.releaseKeys.id(untilKey, Number);
    const rat = rationaleIds[digitsAt(s, t[7] + 1, end)] ?? -1;
    if (eff < 0 || del < 0 || from < 0 || until < 0 || rat < 0) return false;
    const i = this.length;
    this.keys[i] = c1 * FIVE + c2;
    this.prior[i] = s.charCodeAt(t[1] + 1) === 49 ? 1 : 0;
    this.eff[i] = eff;
    this.del[i] = del;
    this.mod[i] = s.charCodeAt(t[4] + 1);
    this.from[i] = from;
    this.until[i] = until;
    this.rat[i] = rat;
    this.length += 1;
    return true;
  }

  /** The index (views of the filled part of the arrays: no copy). */
  finish(chain: string): PairIndex {
    const n = this.length;
    const keys = this.keys.subarray(0, n);
    return new PairIndex(chain, n, {
      keys, order: orderByKey(keys), eff: this.eff.subarray(0, n), del: this.del.subarray(0, n), mod: this.mod.subarray(0, n), prior: this.prior.subarray(0, n),
      rat: this.rat.subarray(0, n), from: this.from.subarray(0, n), until: this.until.subarray(0, n),
      dates: this.dates.values, rationales: this.rationales.values, releaseKeys: this.releaseKeys.values,
    });
  }
}

/**
 * Positions in key order: the natural runs (rows come back as a few sorted runs, one per import
 * that wrote them) merged pairwise, O(n log runs), and O(n log n) at worst.
 */
export function orderByKey(keys: Float64Array): Uint32Array {
  const n = keys.length;
  let runs: Uint32Array[] = [];
  for (let start = 0, i = 1; i <= n; i += 1) {
    if (i === n || keys[i - 1] > keys[i]) {
      runs.push(Uint32Array.from({ length: i - start }, (_, k) => start + k));
      start = i;
    }
  }
  if (runs.length === 0) return new Uint32Array(0);
  while (runs.length > 1) {
    const next: Uint32Array[] = [];
    for (let r = 0; r < runs.length; r += 2) next.push(r + 1 < runs.length ? merge(keys, runs[r], runs[r + 1]) : runs[r]);
    runs = next;
  }
  return runs[0];
}

function merge(keys: Float64Array, a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = keys[b[j]] < keys[a[i]] ? b[j++] : a[i++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** The start and end of each \x1e-separated record of a text. */
function* records(text: string): Generator<[number, number]> {
  for (let at = 0; at < text.length; ) {
    const sep = text.indexOf('\x1e', at);
    const end = sep < 0 ? text.length : sep;
    yield [at, end];
    at = end + 1;
  }
}

/** A stored row as one tab-separated line, built by the database; its rationale by its number in the page (the text is half of a row). */
function lineSql(tab: string): string {
  return `p.column1 || ${tab} || p.column2 || ${tab} || (case when p.prior_to1996 then '1' else '0' end) || ${tab} || replace(p.effective_date, '-', '') || ${tab}
    || coalesce(replace(p.deletion_date, '-', ''), '') || ${tab} || p.modifier_indicator || ${tab} || cast(p.from_key as text) || ${tab}
    || coalesce(cast(p.until_key as text), '') || ${tab} || cast(r.rid as text)`;
}

/**
 * One page of rows after a row id, as one row of four values (not one object per row): the last
 * id, the count, the page's distinct rationales numbered (`number TAB text`), and the lines;
 * records separated by \x1e.
 */
function pageSql(pg: boolean): string {
  const [chr, agg] = pg ? ['chr', 'string_agg'] : ['char', 'group_concat'];
  return `with p as materialized (select * from ncci_edit where id > ? order by id limit ${PAGE}),
      r as materialized (select rationale, row_number() over (order by rationale) as rid from (select distinct rationale from p) d)
    select (select max(id) from p) as last, (select count(*) from p) as n,
      (select ${agg}(cast(rid as text) || ${chr}(9) || rationale, ${chr}(30)) from r) as rationales,
      (select ${agg}(${lineSql(`${chr}(9)`)}, ${chr}(30)) from p join r on r.rationale = p.rationale) as body`;
}

/**
 * Read every stored NCCI edit into an index for `chain`, a page at a time (the event loop runs
 * between pages). Null when the rows do not fit one (a code that is not five characters of 0-9/A-Z,
 * more than 65,535 distinct rationales, dates or releases, or many rows added while it read):
 * lookups then keep reading the database.
 */
export async function buildPairIndex(em: EntityManager, chain: string): Promise<PairIndex | null> {
  const [count] = await query(em, 'select count(*) as n from ncci_edit');
  const builder = new IndexBuilder(Number(count.n) + SLACK);
  const sql = pageSql(isPostgres(em));
  for (let after = 0; ;) {
    const [page] = await query(em, sql, [after]);
    const n = Number(page?.n ?? 0);
    if (n === 0) break;
    if (!builder.addPage(String(page.rationales), String(page.body))) return null;
    if (n < PAGE) break;
    after = Number(page.last);
  }
  return builder.finish(chain);
}

/** What a pair index reports (ids and counts only). */
export interface PairIndexLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

interface Slot {
  chain: string;
  index?: PairIndex;
  building?: Promise<PairIndex | undefined>;
  /** When a build failed or gave up (performance.now()): retried after RETRY_MS. */
  failedAt?: number;
}

const RETRY_MS = 60_000;

/**
 * A process's pair indexes, one per database, each for the NCCI releases stored when it was
 * built. Asked for a chain it has not built, it starts building (once; the caller reads the
 * database meanwhile) and drops the old index: it could not answer the new chain. After the
 * build, the chain is read again; if an import changed it meanwhile, the index is thrown away
 * and the next lookup builds again.
 */
export class PairIndexCache {
  private readonly slots = new Map<string, Slot>();

  constructor(
    /** The NCCI chain now stored (read fresh from the database). */
    private readonly chainNow: (em: EntityManager) => Promise<string>,
    private readonly log?: PairIndexLog,
  ) {}

  /** The index for this database and chain if it is built; else starts building it and returns undefined. */
  get(em: EntityManager, chain: string): PairIndex | undefined {
    const key = databaseKey(em);
    const slot = this.slots.get(key);
    if (slot?.chain === chain) {
      if (slot.index || slot.building) return slot.index;
      if (slot.failedAt !== undefined && performance.now() - slot.failedAt < RETRY_MS) return undefined;
    }
    if (!em.isInTransaction()) void this.build(em.fork(), key, chain);
    return undefined;
  }

  /** Build the index of the chain stored now (a service calls it at start); resolves when built or given up. */
  async warm(em: EntityManager): Promise<PairIndex | undefined> {
    const chain = await this.chainNow(em);
    const hit = this.get(em, chain);
    return hit ?? this.slots.get(databaseKey(em))?.building;
  }

  private build(em: EntityManager, key: string, chain: string): Promise<PairIndex | undefined> {
    const slot: Slot = { chain };
    this.slots.set(key, slot);
    const started = performance.now();
    slot.building = (async () => {
      const index = await buildPairIndex(em, chain);
      const now = await this.chainNow(em);
      if (index && now === chain) return index;
      this.log?.warn({ rows: index?.rows ?? null, releasesChanged: now !== chain }, 'NCCI pair index not kept (the stored edits do not fit one, or an import changed them while it was read); pairs are read from the database');
      return undefined;
    })()
      .catch((err: unknown) => {
        this.log?.warn({ err: logSafeError(err) }, 'NCCI pair index build failed; pairs are read from the database');
        return undefined;
      })
      .then((index) => {
        if (this.slots.get(key) !== slot) return undefined;
        slot.building = undefined;
        if (!index) {
          slot.failedAt = performance.now();
          return undefined;
        }
        slot.index = index;
        this.log?.info({ rows: index.rows, mb: Math.round(index.bytes / 1e6), ms: Math.round(performance.now() - started) }, 'NCCI pair index built');
        return index;
      });
    return slot.building;
  }
}
