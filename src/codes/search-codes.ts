import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { cacheOf, type CodeCache } from './code-cache.ts';
import { displayCode, today } from './normalize.ts';
import { releaseInForce, type ReleaseRow } from './releases.ts';
import { SearchIndex, type SearchDoc } from './search-index.ts';
import { databaseKey, query } from './sql.ts';
import type { ImportSystem, LookupSystem, SearchHit } from './types.ts';

const SEARCHABLE: ImportSystem[] = ['icd10cm', 'icd10pcs', 'hcpcs', 'cpt'];
const SYSTEMS: LookupSystem[] = ['icd10cm', 'icd10pcs', 'hcpcs', 'cpt', 'modifier'];

/** Releases searched: each system's release in force today, else its newest. */
function searchedReleases(releases: ReleaseRow[]): ReleaseRow[] {
  const now = today();
  return SEARCHABLE.flatMap((s) => {
    const r = releaseInForce(releases, s, now) ?? releases.filter((x) => x.system === s).at(-1);
    return r ? [r] : [];
  });
}

/**
 * Build the index from the releases' in-memory tables (shared with exact lookups through the
 * same cache, so the descriptor strings are held once) and the plain-language descriptions.
 */
async function buildIndex(em: EntityManager, cache: CodeCache, releases: ReleaseRow[]): Promise<SearchIndex> {
  if (releases.length === 0) return new SearchIndex([]);
  const plain = new Map((await query(em, 'select code, text from code_description')).map((r) => [String(r.code), String(r.text)]));
  const docs: SearchDoc[] = [];
  for (const release of releases) {
    const table = await cache.tables.whole(em, release);
    for (let i = 0; i < table.size; i += 1) {
      const code = table.codes[i];
      const kind = table.kind(i);
      const lookupSystem: LookupSystem = kind === 'modifier' ? 'modifier' : (release.system as LookupSystem);
      docs.push({
        system: lookupSystem,
        code: displayCode(lookupSystem, code),
        description: table.long[i],
        extra: [table.short[i], table.consumerAt(i), plain.get(code)].filter(Boolean).join(' '),
        header: kind === 'header',
      });
    }
  }
  return new SearchIndex(docs);
}

/**
 * Ranked keyword search over the descriptors of the releases in force today (ICD-10-CM,
 * ICD-10-PCS, HCPCS and its modifiers, CPT when licensed), plus the consultants' plain-language
 * descriptions. Tolerant of word order, plurals and small typos (see SearchIndex). The index is
 * built in memory on first use through a cache (about a second with everything imported) and
 * rebuilt when a release or a plain-language description changes, so it behaves the same on
 * SQLite and PostgreSQL and needs no extra DDL. Without a cache every call builds it anew.
 */
export async function searchCodes(em: EntityManager, words: string, options: { system?: string; limit?: number; cache?: CodeCache } = {}): Promise<SearchHit[]> {
  if (options.system && !SYSTEMS.includes(options.system as LookupSystem)) {
    throw new ValidationError(`unknown system "${options.system}" (one of ${SYSTEMS.join(', ')})`);
  }
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError('limit must be a whole number from 1 to 200');
  const index = await searchIndex(em, cacheOf(options));
  return index.search(words, { system: options.system as LookupSystem | undefined, limit });
}

/** The current search index for this database (built or rebuilt when needed). */
export async function searchIndex(em: EntityManager, cache: CodeCache): Promise<SearchIndex> {
  const key = databaseKey(em);
  const recent = cache.search.get(key);
  if (recent && performance.now() - recent.checkedAt < cache.ttlMs) return recent.index;
  const releases = searchedReleases(await cache.releases.load(em));
  const [stats] = await query(em, 'select count(*) as n, max(updated_at) as at from code_description');
  const fingerprint = `${releases.map((r) => `${r.id}:${r.checksum}`).join(',')}|${stats?.n}|${String(stats?.at)}`;
  const hit = cache.search.get(key);
  if (hit && hit.fingerprint === fingerprint) {
    hit.checkedAt = performance.now();
    return hit.index;
  }
  const index = buildIndex(em, cache, releases);
  const slot = { fingerprint, index, checkedAt: performance.now() };
  cache.search.set(key, slot);
  index.catch(() => cache.search.get(key) === slot && cache.search.delete(key));
  return index;
}
