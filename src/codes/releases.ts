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
}

/**
 * How long a process trusts its copy of the release list. Imports in this process refresh it at
 * once; a release imported by another process is seen within this time. The list is tiny, but
 * reading it on every lookup would be one more round trip on the hot path.
 */
const RELEASES_TTL_MS = 2000;
const cached = new Map<string, { at: number; releases: Promise<ReleaseRow[]>; ready?: ReleaseRow[] }>();

/** The release list if this process's copy is fresh and loaded (no waiting), else undefined (see loadReleases). */
export function loadedReleases(em: EntityManager): ReleaseRow[] | undefined {
  const hit = cached.get(databaseKey(em));
  if (!hit?.ready || em.isInTransaction() || performance.now() - hit.at >= RELEASES_TTL_MS) return undefined;
  return hit.ready;
}

/** Every release, oldest first (the table is small: a handful of rows per system and year). */
export async function loadReleases(em: EntityManager, options: { fresh?: boolean } = {}): Promise<ReleaseRow[]> {
  const key = databaseKey(em);
  const hit = cached.get(key);
  if (!options.fresh && !em.isInTransaction() && hit && performance.now() - hit.at < RELEASES_TTL_MS) return hit.releases;
  const releases = query(em, 'select id, system, layout, version, effective_date, checksum from code_release order by effective_date, id').then((rows) =>
    rows.map((r) => ({
      id: Number(r.id), system: r.system as ImportSystem, layout: String(r.layout), version: String(r.version),
      effectiveDate: String(r.effective_date), checksum: String(r.checksum),
    })),
  );
  if (!em.isInTransaction()) {
    const entry: { at: number; releases: Promise<ReleaseRow[]>; ready?: ReleaseRow[] } = { at: performance.now(), releases };
    cached.set(key, entry);
    releases.then((r) => (entry.ready = r), () => cached.delete(key));
  }
  return releases;
}

/** Drop this process's copy of the release list (after an import). */
export function forgetReleases(em: EntityManager): void {
  cached.delete(databaseKey(em));
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

/** The release of each system in force on a date (YYYY-MM-DD). */
export async function releasesInForce(em: EntityManager, date: string): Promise<(ReleaseRef & { layout: string })[]> {
  if (!isIsoDate(date)) throw new ValidationError(`"${date}" is not a date (YYYY-MM-DD)`);
  const releases = await loadReleases(em, { fresh: true });
  const systems = [...new Set(releases.map((r) => r.system))].sort();
  return systems.flatMap((s) => {
    const r = releaseInForce(releases, s, date);
    return r ? [{ ...toRef(r), layout: r.layout }] : [];
  });
}
