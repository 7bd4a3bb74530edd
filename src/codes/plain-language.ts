import type { EntityManager } from '@mikro-orm/core';
import { databaseKey, query } from './sql.ts';

/**
 * How long a process trusts its copy of the plain-language descriptions before re-checking the
 * table's fingerprint (the same window as the release list). describeCode in this process drops
 * the copy at once; a description written by another process is seen within this time.
 */
const CHECK_TTL_MS = 2000;

interface Slot {
  checkedAt: number;
  fingerprint: string;
  texts: Promise<Map<string, string>>;
  ready?: Map<string, string>;
}

const cache = new Map<string, Slot>();
/** Bumped by forgetPlainDescriptions: a check that started before it must not install its answer. */
let generation = 0;


/**
 * The consultants' plain-language description of a (compact) code, if any. Lookups read it from
 * a per-process copy of the table (a few thousand short texts at most) so that an exact lookup
 * needs no round trip; the copy is re-validated every 2 s by the table's row count, highest id
 * and latest update, and reloaded when they change. Inside a transaction the row is read
 * directly, so a description written in that transaction is seen.
 */
export async function plainDescription(em: EntityManager, code: string): Promise<string | undefined> {
  if (!code) return undefined;
  if (em.isInTransaction()) {
    const [row] = await query(em, 'select text from code_description where code = ?', [code]);
    return row ? String(row.text) : undefined;
  }
  return (await plainDescriptions(em)).get(code);
}

/**
 * The same answer as plainDescription when this process's copy is fresh (no waiting): the text,
 * or null for none; undefined when the copy must be (re)checked first.
 */
export function plainDescriptionNow(em: EntityManager, code: string): string | null | undefined {
  if (!code) return null;
  if (em.isInTransaction()) return undefined;
  const slot = cache.get(databaseKey(em));
  if (!slot?.ready || performance.now() - slot.checkedAt >= CHECK_TTL_MS) return undefined;
  return slot.ready.get(code) ?? null;
}

async function plainDescriptions(em: EntityManager): Promise<Map<string, string>> {
  const key = databaseKey(em);
  const slot = cache.get(key);
  if (slot && performance.now() - slot.checkedAt < CHECK_TTL_MS) return slot.texts;
  const started = generation;
  const [stats] = await query(em, 'select count(*) as n, max(id) as id, max(updated_at) as at from code_description');
  const fingerprint = `${stats?.n}|${stats?.id}|${String(stats?.at)}`;
  const now = cache.get(key);
  if (now && now.fingerprint === fingerprint && started === generation) {
    now.checkedAt = performance.now();
    return now.texts;
  }
  const texts = query(em, 'select code, text from code_description').then((rows) => new Map(rows.map((r) => [String(r.code), String(r.text)])));
  if (started !== generation) return texts;
  const fresh: Slot = { checkedAt: performance.now(), fingerprint, texts };
  cache.set(key, fresh);
  texts.then((m) => (fresh.ready = m), () => undefined);
  texts.catch(() => cache.delete(key));
  return texts;
}

/** Drop this process's copy of the plain-language descriptions (after describeCode). */
export function forgetPlainDescriptions(em: EntityManager): void {
  generation += 1;
  cache.delete(databaseKey(em));
}
