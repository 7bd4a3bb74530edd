import type { EntityManager } from '@mikro-orm/core';
import { prefixUpperBound } from './code-range.ts';
import type { ReleaseRow } from './releases.ts';
import { databaseKey, placeholders, query } from './sql.ts';
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
 * The rows of one release under a code (see subtrees), in memory, sorted by code (JavaScript
 * string order, which for the 0-9A-Z alphabet of codes is SQLite's binary order and the order
 * `prefixUpperBound` assumes). Column arrays rather than one object per row.
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

}

const COLUMNS = 'code, kind, short_description, long_description, consumer_description, valid_from, valid_to';

/**
 * The rows of several releases whose code starts with `prefix` (the code and the codes under it):
 * one indexed range query for all of them, a table per release (empty when it has none).
 * `siblings` gives a release's held tables of the same prefix in other releases, whose strings
 * the new table shares.
 */
export async function subtrees(em: EntityManager, releases: ReleaseRow[], prefix: string, siblings: (r: ReleaseRow) => ReleaseTable[] = () => []): Promise<Map<number, ReleaseTable>> {
  const rows = await query(
    em,
    `select release_id, ${COLUMNS} from code_entry where release_id in (${placeholders(releases.length)}) and code >= ? and code < ? order by code`,
    [...releases.map((r) => r.id), prefix, prefixUpperBound(prefix)],
  );
  const byRelease = new Map<number, Record<string, unknown>[]>(releases.map((r) => [r.id, []]));
  for (const r of rows) byRelease.get(Number(r.release_id))?.push(r);
  const out = new Map<number, ReleaseTable>();
  for (const r of releases) {
    const same = releases.filter((o) => o.system === r.system && out.has(o.id)).map((o) => out.get(o.id)!);
    out.set(r.id, new ReleaseTable(r.id, byRelease.get(r.id)!, [...same, ...siblings(r)]));
  }
  return out;
}

/** How many leading characters two codes share. */
function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

/**
 * The codes nearest an unknown one in a release, for "did you mean": those sharing the longest
 * prefix with it (at least 2 characters), which finds the children of an incomplete code
 * (`S82.821` → `S82.821A`, …) and the siblings of a mistyped last character. The codes sharing
 * the longest prefix with it include its neighbours in code order, so one query reads the two
 * neighbours and a second the first `limit` codes under that prefix: two round trips, whatever
 * the code's length.
 */
export async function closestInRelease(em: EntityManager, release: ReleaseRow, code: string, limit = 5): Promise<CodeRef[]> {
  const [n] = await query(
    em,
    `select (select code from code_entry where release_id = ? and code < ? order by code desc limit 1) as before,
            (select code from code_entry where release_id = ? and code > ? order by code limit 1) as after`,
    [release.id, code, release.id, code],
  );
  const len = Math.max(n?.before == null ? 0 : sharedPrefix(code, String(n.before)), n?.after == null ? 0 : sharedPrefix(code, String(n.after)));
  if (len < 2) return [];
  const prefix = code.slice(0, len);
  const rows = await query(
    em,
    `select code, long_description from code_entry where release_id = ? and code >= ? and code < ? and code <> ? order by code limit ${limit}`,
    [release.id, prefix, prefixUpperBound(prefix), code],
  );
  return rows.map((r) => ({ code: String(r.code), description: String(r.long_description) }));
}

interface Slot {
  checksum: string;
  system: string;
  table: Promise<ReleaseTable>;
  /** Set once loaded: lookups then read it without waiting. */
  ready?: ReleaseTable;
}

/** Tables held at most (besides `maxRows`): most hold one row, a code without children. */
const MAX_TABLES = 20_000;

/**
 * The code tables of one owner (a CodeCache): for a code asked about, the rows of a release
 * that start with it (the code and the codes under it: everything a lookup reads), read the first
 * time with one indexed range query for every release asked about at once, and kept, least
 * recently used first out beyond `maxRows` rows or MAX_TABLES tables. So a code asked about the
 * first time costs one small query (a category of several thousand codes is read only when the
 * category itself is asked about), and coders' usual few hundred codes stay in memory. Tables are
 * checked against the release's file checksum, so a recreated database with reused ids is not
 * served another database's rows. Inside a transaction a table not yet held is read through it
 * and not kept (it may be the transaction's own, uncommitted import).
 */
export class TableCache {
  private readonly slots = new Map<string, Slot>();
  private rows = 0;

  constructor(private readonly maxRows = 150_000) {}

  private key(em: EntityManager, release: ReleaseRow, code: string): string {
    return `${databaseKey(em)}#${release.id}#${code}`;
  }

  private slot(key: string, release: ReleaseRow): Slot | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    // A release id with other bytes: another database under the same key (tests recreate them).
    if (slot.checksum !== release.checksum || slot.system !== release.system) {
      this.drop(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot); // most recently used last
    return slot;
  }

  private drop(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.rows -= slot.ready?.size ?? 0;
  }

  /** The table of `code` in a release if this cache holds it (no waiting), else undefined. */
  loaded(em: EntityManager, release: ReleaseRow, code: string): ReleaseTable | undefined {
    return this.slot(this.key(em, release, code), release)?.ready;
  }

  /** The tables of `code` in these releases, by release id: held, or read (one query for all) and kept. */
  async forCode(em: EntityManager, releases: ReleaseRow[], code: string): Promise<Map<number, ReleaseTable>> {
    const out = new Map<number, ReleaseTable>();
    const waits: Promise<unknown>[] = [];
    const toRead: ReleaseRow[] = [];
    const held: { system: string; table: ReleaseTable }[] = [];
    for (const r of releases) {
      const slot = this.slot(this.key(em, r, code), r);
      if (slot?.ready) held.push({ system: r.system, table: slot.ready });
      if (slot) waits.push(slot.table.then((t) => out.set(r.id, t)));
      else toRead.push(r);
    }
    if (toRead.length > 0) {
      // Successive releases repeat most descriptors: share the strings of held tables of the same code.
      const read = subtrees(em, toRead, code, (r) => held.filter((h) => h.system === r.system).map((h) => h.table));
      for (const r of toRead) {
        const table = read.then((m) => m.get(r.id)!);
        if (!em.isInTransaction()) this.keep(this.key(em, r, code), r, table);
        waits.push(table.then((t) => out.set(r.id, t)));
      }
    }
    await Promise.all(waits);
    return out;
  }

  private keep(key: string, release: ReleaseRow, table: Promise<ReleaseTable>): void {
    const fresh: Slot = { checksum: release.checksum, system: release.system, table };
    this.slots.set(key, fresh);
    table.then(
      (t) => {
        if (this.slots.get(key) !== fresh) return;
        fresh.ready = t;
        this.rows += t.size;
        this.evict();
      },
      () => this.slots.get(key) === fresh && this.slots.delete(key),
    );
  }

  /** Rows held, across every table. */
  get size(): number {
    return this.rows;
  }

  private evict(): void {
    for (const [key, slot] of this.slots) {
      if ((this.rows <= this.maxRows && this.slots.size <= MAX_TABLES) || this.slots.size <= 1) break;
      if (slot.ready) this.drop(key, slot);
    }
  }
}
