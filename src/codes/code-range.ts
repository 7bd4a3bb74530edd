import type { EntityManager } from '@mikro-orm/core';
import { query } from './sql.ts';
import type { CodeRef } from './types.ts';

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The smallest alphanumeric string above every code that starts with `prefix`. Codes use only
 * 0-9 and A-Z, which sort the same under SQLite's binary collation and PostgreSQL's C or
 * locale collations, so `code > prefix and code < upper` is an index range on both drivers
 * (a LIKE prefix is not, under a locale collation).
 */
export function prefixUpperBound(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i -= 1) {
    const pos = ALNUM.indexOf(prefix[i]);
    if (pos >= 0 && pos < ALNUM.length - 1) return prefix.slice(0, i) + ALNUM[pos + 1];
  }
  return `${prefix}~`;
}

/** Codes of one release that extend `prefix` (not `prefix` itself), in code order. */
export async function codesUnder(em: EntityManager, releaseId: number, prefix: string, options: { kind?: string; limit: number }): Promise<CodeRef[]> {
  const kind = options.kind ? ' and kind = ?' : '';
  const params: unknown[] = [releaseId, prefix, prefixUpperBound(prefix)];
  if (options.kind) params.push(options.kind);
  const rows = await query(em, `select code, long_description from code_entry where release_id = ? and code > ? and code < ?${kind} order by code limit ${Number(options.limit)}`, params);
  return rows.map((r) => ({ code: String(r.code), description: String(r.long_description) }));
}

/** How many codes of one release extend `prefix`. */
export async function countUnder(em: EntityManager, releaseId: number, prefix: string, kind: string): Promise<number> {
  const rows = await query(em, 'select count(*) as n from code_entry where release_id = ? and code > ? and code < ? and kind = ?', [releaseId, prefix, prefixUpperBound(prefix), kind]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Codes near an unknown one, for "did you mean": the codes sharing the longest prefix with it
 * (at least 3 characters for ICD-10, 2 otherwise), which finds the children of an incomplete
 * code (`S82.821` → `S82.821A`, …) and the siblings of a mistyped last character.
 */
export async function closestCodes(em: EntityManager, releaseId: number, code: string, limit = 5): Promise<CodeRef[]> {
  for (let len = code.length; len >= 2; len -= 1) {
    const prefix = code.slice(0, len);
    const rows = await query(em, `select code, long_description from code_entry where release_id = ? and code >= ? and code < ? and code <> ? order by code limit ${Number(limit)}`, [releaseId, prefix, prefixUpperBound(prefix), code]);
    if (rows.length > 0) return rows.map((r) => ({ code: String(r.code), description: String(r.long_description) }));
  }
  return [];
}
