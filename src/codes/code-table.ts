import type { EntityManager } from '@mikro-orm/core';
import { prefixUpperBound } from './code-range.ts';
import type { ReleaseRow } from './releases.ts';
import { query } from './sql.ts';
import type { CodeRef } from './types.ts';

/** One row of one release, as lookups use it. */
export interface TableEntry {
  releaseId: number;
  code: string;
  kind: string;
  shortDescription: string | null;
  longDescription: string;
  consumerDescription: string | null;
  validFrom: string | null;
  validTo: string | null;
}

const KINDS = ['code', 'header', 'modifier'];

/**
 * Every code row of one release, in memory, sorted by code (JavaScript string order, which for
 * the 0-9A-Z alphabet of codes is SQLite's binary order and the order `prefixUpperBound` assumes).
 * Column arrays rather than one object per row: a quarter of a million rows stay compact.
 */
export class ReleaseTable {
  readonly releaseId: number;
  readonly codes: string[];
  /** Index into KINDS, or 255 with the kind in `otherKinds`. */
  private readonly kinds: Uint8Array;
  private readonly otherKinds = new Map<number, string>();
  readonly short: (string | null)[];
  readonly long: string[];
  private readonly consumer: (string | null)[] | null;
  private readonly validFrom: (string | null)[] | null;
  private readonly validTo: (string | null)[] | null;

  constructor(releaseId: number, rows: Record<string, unknown>[], siblings: ReleaseTable[]) {
    this.releaseId = releaseId;
    const n = rows.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i += 1) if (!(String(rows[i - 1].code) < String(rows[i].code))) sorted = false;
    // PostgreSQL may order by a locale collation; the in-memory searches need binary order.
    if (!sorted) rows.sort((a, b) => (String(a.code) < String(b.code) ? -1 : String(a.code) > String(b.code) ? 1 : 0));
    this.codes = new Array<string>(n);
    this.kinds = new Uint8Array(n);
    this.short = new Array<string | null>(n);
    this.long = new Array<string>(n);
    const anyOf = (col: string) => rows.some((r) => r[col] != null);
    this.consumer = anyOf('consumer_description') ? new Array<string | null>(n) : null;
    this.validFrom = anyOf('valid_from') ? new Array<string | null>(n) : null;
    this.validTo = anyOf('valid_to') ? new Array<string | null>(n) : null;
    for (let i = 0; i < n; i += 1) {
      const r = rows[i];
      const code = String(r.code);
      let long = String(r.long_description);
      let short = (r.short_description as string | null) ?? null;
      // Successive releases repeat most descriptors: keep one copy of each string.
      for (const s of siblings) {
        const j = s.indexOf(code);
        if (j < 0) continue;
        if (s.long[j] === long) long = s.long[j];
        if (short !== null && s.short[j] === short) short = s.short[j];
        break;
      }
      this.codes[i] = code;
      const kind = String(r.kind);
      const k = KINDS.indexOf(kind);
      this.kinds[i] = k >= 0 ? k : 255;
      if (k < 0) this.otherKinds.set(i, kind);
      this.short[i] = short;
      this.long[i] = long;
      if (this.consumer) this.consumer[i] = (r.consumer_description as string | null) ?? null;
      if (this.validFrom) this.validFrom[i] = (r.valid_from as string | null) ?? null;
      if (this.validTo) this.validTo[i] = (r.valid_to as string | null) ?? null;
    }
  }

  get size(): number {
    return this.codes.length;
  }

  /** The consumer-friendly descriptor at a position (CPT), or null. */
  consumerAt(i: number): string | null {
    return this.consumer?.[i] ?? null;
  }

  kind(i: number): string {
    const k = this.kinds[i];
    return k === 255 ? this.otherKinds.get(i)! : KINDS[k];
  }

  /** First position whose code is ≥ `code` (or > it with `strict`). */
  private lowerBound(code: string, strict = false): number {
    let lo = 0;
    let hi = this.codes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.codes[mid];
      if (c < code || (strict && c === code)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of a code, or -1. */
  indexOf(code: string): number {
    const i = this.lowerBound(code);
    return i < this.codes.length && this.codes[i] === code ? i : -1;
  }

  entry(i: number): TableEntry {
    return {
      releaseId: this.releaseId, code: this.codes[i], kind: this.kind(i),
      shortDescription: this.short[i], longDescription: this.long[i],
      consumerDescription: this.consumer?.[i] ?? null,
      validFrom: this.validFrom?.[i] ?? null, validTo: this.validTo?.[i] ?? null,
    };
  }

  /**
   * Codes that extend `prefix` (not `prefix` itself), in code order: the first `limit` of the
   * given kind and how many of that kind there are (the range `code > prefix and code < upper`).
   */
  under(prefix: string, kind: string, limit: number): { refs: CodeRef[]; count: number } {
    const upper = prefixUpperBound(prefix);
    const refs: CodeRef[] = [];
    let count = 0;
    for (let i = this.lowerBound(prefix, true); i < this.codes.length && this.codes[i] < upper; i += 1) {
      if (this.kind(i) !== kind) continue;
      count += 1;
      if (refs.length < limit) refs.push({ code: this.codes[i], description: this.long[i] });
    }
    return { refs, count };
  }

  /** Whether any code of the kind extends `prefix`. */
  hasUnder(prefix: string, kind: string): boolean {
    const upper = prefixUpperBound(prefix);
    for (let i = this.lowerBound(prefix, true); i < this.codes.length && this.codes[i] < upper; i += 1) if (this.kind(i) === kind) return true;
    return false;
  }

  /**
   * Codes near an unknown one, for "did you mean": the codes sharing the longest prefix with it
   * (at least 2 characters), which finds the children of an incomplete code (`S82.821` →
   * `S82.821A`, …) and the siblings of a mistyped last character.
   */
  closest(code: string, limit = 5): CodeRef[] {
    for (let len = code.length; len >= 2; len -= 1) {
      const prefix = code.slice(0, len);
      const upper = prefixUpperBound(prefix);
      const out: CodeRef[] = [];
      for (let i = this.lowerBound(prefix); i < this.codes.length && this.codes[i] < upper && out.length < limit; i += 1) {
        if (this.codes[i] !== code) out.push({ code: this.codes[i], description: this.long[i] });
      }
      if (out.length > 0) return out;
    }
    return [];
  }
}

/**
 * Rows held in memory across all cached releases before the least recently used are dropped.
 * The bench's four releases (ICD-10-CM FY2025 and FY2026, ICD-10-PCS, HCPCS) are about 260,000.
 */
const MAX_CACHED_ROWS = 1_200_000;

interface Slot {
  checksum: string;
  system: string;
  table: Promise<ReleaseTable>;
  /** Set once loaded: lookups then read it without waiting. */
  ready?: ReleaseTable;
  lastUsed: number;
}

/**
 * Release tables by ORM (its configuration object, shared by every fork), then release id (the
 * slot also records the file checksum). Weakly held: a closed and dropped ORM's tables go with it.
 */
const tables = new WeakMap<object, Map<number, Slot>>();
/** The per-ORM maps alive, for the row bound across all of them. */
const alive = new Set<WeakRef<Map<number, Slot>>>();
let clock = 0;

function evict(): void {
  let total = 0;
  const all: [Map<number, Slot>, number, Slot][] = [];
  for (const ref of alive) {
    const db = ref.deref();
    if (!db) {
      alive.delete(ref);
      continue;
    }
    for (const [id, s] of db) {
      total += s.ready?.size ?? 0;
      all.push([db, id, s]);
    }
  }
  all.sort((a, b) => a[2].lastUsed - b[2].lastUsed);
  for (const [db, id, s] of all) {
    if (total <= MAX_CACHED_ROWS || all.length <= 1) break;
    if (!s.ready) continue;
    db.delete(id);
    total -= s.ready.size;
  }
}

function slotFor(em: EntityManager, release: ReleaseRow): { db: Map<number, Slot>; slot?: Slot } {
  let db = tables.get(em.config);
  if (!db) {
    tables.set(em.config, (db = new Map()));
    alive.add(new WeakRef(db));
  }
  const slot = db.get(release.id);
  // A release id with other bytes: another database under the same key (tests recreate them).
  if (slot && (slot.checksum !== release.checksum || slot.system !== release.system)) {
    db.delete(release.id);
    return { db };
  }
  return { db, slot };
}

/** The release's table if this process already holds it (no waiting), else undefined. */
export function loadedTable(em: EntityManager, release: ReleaseRow): ReleaseTable | undefined {
  const { slot } = slotFor(em, release);
  if (!slot?.ready) return undefined;
  slot.lastUsed = ++clock;
  return slot.ready;
}

const COLUMNS = 'code, kind, short_description, long_description, consumer_description, valid_from, valid_to';

/** Releases this process has answered one lookup from (by ORM, release id and checksum). */
const touched = new WeakMap<object, Set<string>>();

/**
 * The table a lookup of `code` reads a release from. The first lookup a process makes in a
 * release reads only the rows of the code's neighbourhood (the codes sharing its first
 * `prefixLength` characters, one indexed range query: exact for every question a lookup asks
 * about the code, its children and its closest codes), so a one-shot CLI lookup does not load
 * whole releases; from the second, the whole release is loaded once and kept (releaseTable).
 * Inside a transaction, releases not yet held are read by neighbourhood and not kept.
 */
export function tableForCode(em: EntityManager, release: ReleaseRow, code: string, prefixLength: number): Promise<ReleaseTable> {
  const { slot } = slotFor(em, release);
  if (slot) {
    slot.lastUsed = ++clock;
    return slot.table;
  }
  let seen = touched.get(em.config);
  if (!seen) touched.set(em.config, (seen = new Set()));
  const key = `${release.id}|${release.checksum}`;
  if (em.isInTransaction() || !seen.has(key)) {
    if (!em.isInTransaction()) seen.add(key);
    return neighbourhood(em, release, code.slice(0, prefixLength));
  }
  return releaseTable(em, release);
}

/** The rows of one release whose code starts with `prefix` (not kept). */
export async function neighbourhood(em: EntityManager, release: ReleaseRow, prefix: string): Promise<ReleaseTable> {
  const rows = await query(em, `select ${COLUMNS} from code_entry where release_id = ? and code >= ? and code < ? order by code`, [release.id, prefix, prefixUpperBound(prefix)]);
  return new ReleaseTable(release.id, rows, []);
}

/**
 * The in-memory table of one release, loaded on first use in the process (one query over the
 * release's rows) and kept: a release's rows never change once its import has committed, and
 * the slot is checked against the file checksum, so a recreated database with reused ids is not
 * served another database's rows. Inside a transaction a release not yet held is read through
 * the transaction and not kept (it may be the transaction's own, uncommitted import).
 */
export function releaseTable(em: EntityManager, release: ReleaseRow): Promise<ReleaseTable> {
  const { db, slot } = slotFor(em, release);
  if (slot) {
    slot.lastUsed = ++clock;
    return slot.table;
  }
  const siblings = [...db.values()].filter((s) => s.system === release.system);
  const load = (async () => {
    const rows = await query(em, `select ${COLUMNS} from code_entry where release_id = ? order by code`, [release.id]);
    const ready = await Promise.all(siblings.map((s) => s.table.catch(() => undefined)));
    return new ReleaseTable(release.id, rows, ready.filter((t): t is ReleaseTable => t !== undefined));
  })();
  if (em.isInTransaction()) return load;
  const fresh: Slot = { checksum: release.checksum, system: release.system, table: load, lastUsed: ++clock };
  db.set(release.id, fresh);
  load.then(
    (t) => {
      fresh.ready = t;
      evict();
    },
    () => {
      if (db.get(release.id) === fresh) db.delete(release.id);
    },
  );
  return load;
}
