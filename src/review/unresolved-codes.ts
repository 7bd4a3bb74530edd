import type { EntityManager } from '@mikro-orm/core';
import { extractCodes } from '../codes/extract/index.ts';
import { CodeCache } from '../codes/code-cache.ts';
import { lookupCode } from '../codes/lookup-code.ts';
import { candidateSystems } from '../codes/normalize.ts';
import { CodeRelease } from '../codes/code-release.entity.ts';

/**
 * The approval check of the review page: the codes a reply text cites (the extractor, on the
 * text as the body) that do not resolve in the code database.
 *
 * Rules: a code is unresolved when `lookupCode` answers `unknown` and the database holds a
 * release of a system the code could belong to — with no ICD-10-CM release imported at all,
 * "unknown" says nothing about the code. CPT codes without a CPT licence come back from
 * lookupCode as valid when well formed (`licensed: false`), so they count as resolved.
 * Modifiers are not checked (they are described, not cited as billed codes).
 */
export async function findUnresolvedCodes(em: EntityManager, text: string, cache?: CodeCache): Promise<string[]> {
  const { hits } = extractCodes({ subject: '', body: text });
  const codes = [...new Set(hits.filter((h) => h.system !== 'modifier').map((h) => h.code))];
  if (codes.length === 0) return [];
  const imported = new Set<string>((await em.find(CodeRelease, {}, { fields: ['id', 'system'] })).map((r) => r.system));
  const out: string[] = [];
  for (const code of codes) {
    const found = await lookupCode(em, code, { cache });
    if (found.status !== 'unknown') continue;
    if (candidateSystems(code).some((s) => imported.has(s))) out.push(code);
  }
  return out;
}

/** The `unresolvedCodes` hook of approveDraft, reading through a fresh EntityManager each call (and one code cache it owns, or is given). */
export function createUnresolvedCodes(orm: { em: EntityManager }, cache: CodeCache = new CodeCache()): (text: string) => Promise<string[]> {
  return (text) => findUnresolvedCodes(orm.em.fork(), text, cache);
}
