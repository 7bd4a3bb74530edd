import type { EntityManager } from '@mikro-orm/core';
import { prefixUpperBound } from './code-range.ts';
import type { ReleaseRow } from './releases.ts';
import { databaseKey, query } from './sql.ts';
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

interface Slot {
  checksum: string;
  system: string;
  table: Promise<ReleaseTable>;
  /** Set once loaded: lookups then read it without waiting. */
  ready?: ReleaseTable;
  lastUsed: number;
}

const COLUMNS = 'code, kind, short_description, long_description, consumer_description, valid_from, valid_to';

/** The rows of one release whose code starts with `prefix` (not kept). */
export async function neighbourhood(em: EntityManager, release: ReleaseRow, prefix: string): Promise<ReleaseTable> {
  const rows = await query(em, `select ${COLUMNS} from code_entry where release_id = ? and code >= ? and code < ? order by code`, [release.id, prefix, prefixUpperBound(prefix)]);
  return new ReleaseTable(release.id, rows, []);
}

/**
 * The in-memory release tables of one owner (a CodeCache), by database and release id. A
 * release's rows never change once its import has committed, and each slot is checked against
 * the file checksum, so a recreated database with reused ids is not served another database's
 * rows. At most `maxRows` rows are held; the least recently used tables are dropped beyond that
 * (the bench's four releases, ICD-10-CM FY2025 and FY2026, ICD-10-PCS and HCPCS, are about
 * 260,000 rows).
 */
export class TableCache {
  private readonly slots = new Map<string, Slot>();
  /** Releases this cache has answered one lookup from (database, release id and checksum). */
  private readonly touched = new Set<string>();
  private clock = 0;

  constructor(private readonly maxRows = 1_200_000) {}

  private key(em: EntityManager, release: ReleaseRow): string {
    return `${databaseKey(em)}#${release.id}`;
  }

  private slot(em: EntityManager, release: ReleaseRow): Slot | undefined {
    const key = this.key(em, release);
    const slot = this.slots.get(key);
    // A release id with other bytes: another database under the same key (tests recreate them).
    if (slot && (slot.checksum !== release.checksum || slot.system !== release.system)) {
      this.slots.delete(key);
      return undefined;
    }
    if (slot) slot.lastUsed = ++this.clock;
    return slot;
  }

  /** The release's table if this cache already holds it (no waiting), else undefined. */
  loaded(em: EntityManager, release: ReleaseRow): ReleaseTable | undefined {
    return this.slot(em, release)?.ready;
  }

  /**
   * The table a lookup of `code` reads a release from. The first lookup in a release reads
   * only the rows of the code's neighbourhood (the codes sharing its first `prefixLength`
   * characters, one indexed range query: exact for every question a lookup asks about the
   * code, its children and its closest codes), so a one-shot CLI lookup does not load whole
   * releases; from the second, the whole release is loaded once and kept (see whole). Inside a
   * transaction, releases not yet held are read by neighbourhood and not kept.
   */
  forCode(em: EntityManager, release: ReleaseRow, code: string, prefixLength: number): Promise<ReleaseTable> {
    const slot = this.slot(em, release);
    if (slot) return slot.table;
    const key = `${this.key(em, release)}|${release.checksum}`;
    if (em.isInTransaction() || !this.touched.has(key)) {
      if (!em.isInTransaction()) this.touched.add(key);
      return neighbourhood(em, release, code.slice(0, prefixLength));
    }
    return this.whole(em, release);
  }

  /**
   * The whole table of one release, loaded on first use (one query over its rows) and kept.
   * Inside a transaction a release not yet held is read through the transaction and not kept
   * (it may be the transaction's own, uncommitted import).
   */
  whole(em: EntityManager, release: ReleaseRow): Promise<ReleaseTable> {
    const slot = this.slot(em, release);
    if (slot) return slot.table;
    const db = databaseKey(em);
    const siblings = [...this.slots.entries()].filter(([k, s]) => k.startsWith(`${db}#`) && s.system === release.system).map(([, s]) => s);
    const load = (async () => {
      const rows = await query(em, `select ${COLUMNS} from code_entry where release_id = ? order by code`, [release.id]);
      const ready = await Promise.all(siblings.map((s) => s.table.catch(() => undefined)));
      return new ReleaseTable(release.id, rows, ready.filter((t): t is ReleaseTable => t !== undefined));
    })();
    if (em.isInTransaction()) return load;
    const key = this.key(em, release);
    const fresh: Slot = { checksum: release.checksum, system: release.system, table: load, lastUsed: ++this.clock };
    this.slots.set(key, fresh);
    load.then(
      (t) => {
        fresh.ready = t;
        this.evict();
      },
      () => {
        if (this.slots.get(key) === fresh) this.slots.delete(key);
      },
    );
    return load;
  }

  /** Rows held, across every table. */
  get rows(): number {
    let total = 0;
    for (const s of this.slots.values()) total += s.ready?.size ?? 0;
    return total;
  }

  private evict(): void {
    let total = this.rows;
    const byAge = [...this.slots.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, s] of byAge) {
      if (total <= this.maxRows || this.slots.size <= 1) break;
      if (!s.ready) continue;
      this.slots.delete(key);
      total -= s.ready.size;
    }
  }
}
