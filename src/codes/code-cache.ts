import type { EntityManager } from '@mikro-orm/core';
import { TableCache } from './code-table.ts';
import { Lru } from './lru.ts';
import { PlainLanguageCache } from './plain-language.ts';
import { PairIndexCache, type PairIndexLog } from './pair-index.ts';
import { ncciChain, readReleases, ReleaseListCache } from './releases.ts';
import type { SearchSlot } from './search-index.ts';
import { databaseKey } from './sql.ts';

export interface CodeCacheOptions {
  /** How long a copy of the release list, the plain-language texts or the search index is trusted (default 2,000 ms). */
  ttlMs?: number;
  /** Code rows held in memory across the code tables (default 150,000). */
  maxTableRows?: number;
  /** NCCI pair, MUE and "listed in" answers remembered (default 20,000). */
  maxAnswers?: number;
  /**
   * Keep every stored NCCI edit in this process (PairIndex, about 36 MB for a 1.5-million-row
   * quarter and its update) so pairs are answered without a round trip. For long-running
   * processes (the service): building it reads every edit, which a one-off command should not.
   */
  pairIndex?: boolean;
  /** Where the pair index reports its builds (ids and counts only). */
  log?: PairIndexLog;
}

/**
 * What a process keeps from the code database between lookups, explicitly owned by whoever
 * creates it (the draft composer, the web routes, a CLI command) and passed to the lookups:
 * the release list, the code tables (for each code asked about, its row and the rows under it
 * in each release, not whole code sets), the plain-language descriptions, the search index (built only
 * when a search asks for it) and the NCCI/MUE answers, each per database. NCCI pairs are read
 * from the database (one indexed query) and their answers remembered, or, with `pairIndex`, from
 * an index of every stored edit built once per process. Releases never change once
 * imported, so answers keyed by release id and checksum stay true; the release list and the
 * descriptions are re-checked every `ttlMs`, so another process's import or description is seen
 * within that time. A lookup given no cache uses a fresh one: correct, only slower.
 */
export class CodeCache {
  readonly ttlMs: number;
  readonly releases: ReleaseListCache;
  readonly tables: TableCache;
  readonly plain: PlainLanguageCache;
  readonly search = new Map<string, SearchSlot>();
  /** Answers that depend only on immutable releases: key `database|release ids|codes`. */
  readonly answers: Lru<string, unknown>;
  /** The process's NCCI pair indexes, when `pairIndex` is on. */
  readonly pairs?: PairIndexCache;
  /** Dates already checked well formed (lookups repeat a handful of dates). */
  readonly dates = new Lru<string, true>(1000);

  constructor(options: CodeCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 2000;
    this.releases = new ReleaseListCache(this.ttlMs);
    this.tables = new TableCache(options.maxTableRows);
    this.plain = new PlainLanguageCache(this.ttlMs);
    this.answers = new Lru(options.maxAnswers ?? 20_000);
    // The chain is read past the release list copy: a build must not leave lookups an old list to trust for ttlMs.
    if (options.pairIndex) this.pairs = new PairIndexCache(async (em) => ncciChain(await readReleases(em)), options.log);
  }

  /** Build the NCCI pair index now, when this cache keeps one (a service at start); resolves when built or given up. */
  async warmPairIndex(em: EntityManager): Promise<void> {
    await this.pairs?.warm(em);
  }

  /** After an import through this cache: re-read the release list and rebuild the search index on next use. */
  releasesChanged(em: EntityManager): void {
    this.releases.forget(em);
    this.searchChanged(em);
  }

  /** After a plain-language description was written through this cache. */
  descriptionsChanged(em: EntityManager): void {
    this.plain.forget(em);
    this.searchChanged(em);
  }

  private searchChanged(em: EntityManager): void {
    const slot = this.search.get(databaseKey(em));
    if (slot) slot.checkedAt = Number.NEGATIVE_INFINITY;
  }
}

/** An answer remembered by the cache (per database, release and question), outside transactions. */
export async function remembered<T>(em: EntityManager, cache: CodeCache, key: string, load: () => Promise<T>): Promise<T> {
  if (em.isInTransaction()) return load();
  const full = `${databaseKey(em)}|${key}`;
  const hit = cache.answers.get(full) as T | undefined;
  if (hit !== undefined) return hit;
  const value = await load();
  cache.answers.set(full, value);
  return value;
}

/** The cache a lookup uses: the caller's, else a fresh one for this call. */
export function cacheOf(options: { cache?: CodeCache } | undefined): CodeCache {
  return options?.cache ?? new CodeCache();
}
