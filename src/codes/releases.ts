import type { EntityManager } from '@mikro-orm/core';
import { isIsoDate } from './normalize.ts';
import { databaseKey, query } from './sql.ts';
import { ValidationError } from '../shared/errors.ts';
import type { ImportSystem, ReleaseRef } from './types.ts';

export interface ReleaseRow {
  id: number;
  system: ImportSystem;
  layout: string;
  version: string;
  effectiveDate: string;
  /** sha256 of the imported file: with the id, identifies the release's (immutable) rows. */
  checksum: string;
  sourceFile: string;
}

/**
 * The position of a release in its system's chain: effective date, then import order. NCCI
 * edits are stored once per version of a row, valid from one release key up to (not including)
 * another, so "in release R" is `from_key <= key(R) < until_key`. Fits a double exactly.
 */
export function releaseKey(r: { effectiveDate: string; id: number }): number {
  return Number(r.effectiveDate.replaceAll('-', '')) * 1_000_000 + r.id;
}

/**
 * Which NCCI releases are stored (id and checksum of each, in chain order): what is known about
 * pairs, from the database or a process's index, stays true as long as this does.
 */
export function ncciChain(releases: ReleaseRow[]): string {
  return releases.filter((r) => r.system === 'ncci').map((r) => `${r.id}.${r.checksum.slice(0, 12)}`).join(',');
}

interface ListSlot {
  at: number;
  releases: Promise<ReleaseRow[]>;
  ready?: ReleaseRow[];
  byId?: Map<number, ReleaseRow>;
}

/**
 * A process's copy of the release list, per database. It is trusted for `ttlMs` (default 2 s):
 * imports through the same cache refresh it at once; a release imported by another process is
 * seen within that time. The list is tiny, but reading it on every lookup would be one more
 * round trip on the hot path. Inside a transaction the list is always read through it.
 */
export class ReleaseListCache {
  private readonly slots = new Map<string, ListSlot>();

  constructor(private readonly ttlMs = 2000) {}

  /** The release list if this copy is fresh and loaded (no waiting), else undefined (see load). */
  now(em: EntityManager): ReleaseRow[] | undefined {
    const hit = this.slots.get(databaseKey(em));
    if (!hit?.ready || em.isInTransaction() || performance.now() - hit.at >= this.ttlMs) return undefined;
    return hit.ready;
  }

  /** Releases by id, for a list this cache handed out. */
  byId(releases: ReleaseRow[]): Map<number, ReleaseRow> {
    for (const slot of this.slots.values()) if (slot.ready === releases) return (slot.byId ??= new Map(releases.map((r) => [r.id, r])));
    return new Map(releases.map((r) => [r.id, r]));
  }

  /** Every release, oldest first (the table is small: a handful of rows per system and year). */
  load(em: EntityManager, options: { fresh?: boolean } = {}): Promise<ReleaseRow[]> {
    const key = databaseKey(em);
    const hit = this.slots.get(key);
    if (!options.fresh && !em.isInTransaction() && hit && performance.now() - hit.at < this.ttlMs) return hit.releases;
    const releases = readReleases(em);
    if (!em.isInTransaction()) {
      const slot: ListSlot = { at: performance.now(), releases };
      this.slots.set(key, slot);
      releases.then((r) => (slot.ready = r), () => this.slots.delete(key));
    }
    return releases;
  }

  /** Drop the copy of one database's list (after an import through this cache). */
  forget(em: EntityManager): void {
    this.slots.delete(databaseKey(em));
  }
}

/** Every release, read now from the database (no cache). */
export async function readReleases(em: EntityManager): Promise<ReleaseRow[]> {
  const rows = await query(em, 'select id, system, layout, version, effective_date, checksum, source_file from code_release order by effective_date, id');
  return rows.map((r) => ({
    id: Number(r.id), system: r.system as ImportSystem, layout: String(r.layout), version: String(r.version),
    effectiveDate: String(r.effective_date), checksum: String(r.checksum), sourceFile: String(r.source_file),
  }));
}

/** Order of preference among releases of one system: later effective date, then a full order file over a codes-only file, then the later import. */
function newer(a: ReleaseRow, b: ReleaseRow): boolean {
  if (a.effectiveDate !== b.effectiveDate) return a.effectiveDate > b.effectiveDate;
  const rank = (r: ReleaseRow) => (r.layout === 'codes' ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) > rank(b);
  return a.id > b.id;
}

/**
 * The release of a system in force on a date: the latest effective date on or before it.
 * For ICD-10-CM, an order file wins over a codes file of the same effective date (it also
 * carries headers and short descriptors).
 */
export function releaseInForce(releases: ReleaseRow[], system: ImportSystem, date: string): ReleaseRow | undefined {
  let best: ReleaseRow | undefined;
  for (const r of releases) {
    if (r.system !== system || r.effectiveDate > date) continue;
    if (!best || newer(r, best)) best = r;
  }
  return best;
}

/** Releases of a system sorted by preference, newest first. */
export function releasesNewestFirst(releases: ReleaseRow[], system: ImportSystem): ReleaseRow[] {
  return releases.filter((r) => r.system === system).sort((a, b) => (newer(a, b) ? -1 : 1));
}

export function toRef(r: ReleaseRow): ReleaseRef {
  return { system: r.system, version: r.version, effectiveDate: r.effectiveDate };
}

/** The release of each system in force on a date (YYYY-MM-DD), from the cache's release list (see CodeCache). */
export async function releasesInForce(em: EntityManager, date: string, options: { cache?: { releases: ReleaseListCache } } = {}): Promise<(ReleaseRef & { layout: string })[]> {
  if (!isIsoDate(date)) throw new ValidationError(`"${date}" is not a date (YYYY-MM-DD)`);
  const releases = await (options.cache?.releases ?? new ReleaseListCache()).load(em);
  const systems = [...new Set(releases.map((r) => r.system))].sort();
  return systems.flatMap((s) => {
    const r = releaseInForce(releases, s, date);
    return r ? [{ ...toRef(r), layout: r.layout }] : [];
  });
}
