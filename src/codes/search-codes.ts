import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { cacheOf, type CodeCache } from './code-cache.ts';
import { compactCode, displayCode, today } from './normalize.ts';
import { releaseInForce, type ReleaseRow } from './releases.ts';
import { SearchIndexBuilder, type IndexHit, type SearchIndex } from './search-index.ts';
import { databaseKey, placeholders, query } from './sql.ts';
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

/** Rows read per query while the index is built: small pages die young (a page held across many collections would be promoted and grow the heap). */
const PAGE = 1_000;

/** Add every row of one release to the index, a page at a time. */
async function addRelease(em: EntityManager, builder: SearchIndexBuilder, release: ReleaseRow, plain: Map<string, string>): Promise<void> {
  for (let after = ''; ;) {
    const rows = await query(
      em,
      `select code, kind, short_description, long_description, consumer_description from code_entry where release_id = ? and code > ? order by code limit ${PAGE}`,
      [release.id, after],
    );
    for (const r of rows) {
      const code = String(r.code);
      const lookupSystem: LookupSystem = r.kind === 'modifier' ? 'modifier' : (release.system as LookupSystem);
      builder.add({
        system: lookupSystem, code: displayCode(lookupSystem, code), description: String(r.long_description),
        extra: [r.short_description, r.consumer_description, plain.get(code)].filter(Boolean).join(' '), header: r.kind === 'header', release: release.id,
      });
    }
    if (rows.length < PAGE) return;
    after = String(rows[rows.length - 1].code);
  }
}

/** Build the index of the searched releases and the plain-language descriptions, streaming the rows. */
async function buildIndex(em: EntityManager, releases: ReleaseRow[]): Promise<SearchIndex> {
  const builder = new SearchIndexBuilder();
  if (releases.length === 0) return builder.build();
  const plain = new Map((await query(em, 'select code, text from code_description')).map((r) => [String(r.code), String(r.text)]));
  for (const release of releases) await addRelease(em, builder, release, plain);
  return builder.build();
}

/** The descriptors of the hits shown (the index does not hold them): one query per release. */
async function describeHits(em: EntityManager, hits: IndexHit[]): Promise<SearchHit[]> {
  const byRelease = new Map<number, string[]>();
  for (const h of hits) byRelease.set(h.release, [...(byRelease.get(h.release) ?? []), compactCode(h.code)]);
  const text = new Map<string, string>();
  for (const [release, codes] of byRelease) {
    for (const r of await query(em, `select code, long_description from code_entry where release_id = ? and code in (${placeholders(codes.length)})`, [release, ...codes])) {
      text.set(`${release}|${r.code}`, String(r.long_description));
    }
  }
  return hits.map((h) => ({
    system: h.system, code: h.code, description: text.get(`${h.release}|${compactCode(h.code)}`) ?? '', score: h.score, ...(h.header ? { header: true } : {}),
  }));
}

/**
 * Ranked keyword search over the descriptors of the releases in force today (ICD-10-CM,
 * ICD-10-PCS, HCPCS and its modifiers, CPT when licensed), plus the consultants' plain-language
 * descriptions. Tolerant of word order, plurals and small typos (see SearchIndex). The index is
 * built in memory on first use through a cache (a few seconds with everything imported) and
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
  return describeHits(em, index.search(words, { system: options.system as LookupSystem | undefined, limit }));
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
  const index = buildIndex(em, releases);
  const slot = { fingerprint, index, checkedAt: performance.now() };
  cache.search.set(key, slot);
  index.catch(() => cache.search.get(key) === slot && cache.search.delete(key));
  return index;
}
