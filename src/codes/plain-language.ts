import type { EntityManager } from '@mikro-orm/core';
import { databaseKey, query } from './sql.ts';

interface Slot {
  checkedAt: number;
  fingerprint: string;
  texts: Promise<Map<string, string>>;
  ready?: Map<string, string>;
}

/**
 * A copy of the consultants' plain-language descriptions (a few thousand short texts at most),
 * per database, so that an exact lookup needs no round trip. The copy is re-validated every
 * `ttlMs` (default 2 s, the window of the release list) by the table's row count, highest id
 * and latest update, and reloaded when they change: a description written by another process is
 * seen within that time, one written through the same cache at once (forget). Inside a
 * transaction the row is read directly, so a description written in that transaction is seen.
 */
export class PlainLanguageCache {
  private readonly slots = new Map<string, Slot>();
  /** Bumped by forget: a check that started before it must not install its answer. */
  private generation = 0;

  constructor(private readonly ttlMs = 2000) {}

  /** The plain-language description of a (compact) code, if any. */
  async get(em: EntityManager, code: string): Promise<string | undefined> {
    if (!code) return undefined;
    if (em.isInTransaction()) {
      const [row] = await query(em, 'select text from code_description where code = ?', [code]);
      return row ? String(row.text) : undefined;
    }
    return (await this.texts(em)).get(code);
  }

  /** The same answer as get when the copy is fresh (no waiting): the text or null; undefined when it must be checked first. */
  now(em: EntityManager, code: string): string | null | undefined {
    if (!code) return null;
    if (em.isInTransaction()) return undefined;
    const slot = this.slots.get(databaseKey(em));
    if (!slot?.ready || performance.now() - slot.checkedAt >= this.ttlMs) return undefined;
    return slot.ready.get(code) ?? null;
  }

  /** Drop the copy of one database's descriptions (after describeCode through this cache). */
  forget(em: EntityManager): void {
    this.generation += 1;
    this.slots.delete(databaseKey(em));
  }

  private async texts(em: EntityManager): Promise<Map<string, string>> {
    const key = databaseKey(em);
    const slot = this.slots.get(key);
    if (slot && performance.now() - slot.checkedAt < this.ttlMs) return slot.texts;
    const started = this.generation;
    const [stats] = await query(em, 'select count(*) as n, max(id) as id, max(updated_at) as at from code_description');
    const fingerprint = `${stats?.n}|${stats?.id}|${String(stats?.at)}`;
    const now = this.slots.get(key);
    if (now && now.fingerprint === fingerprint && started === this.generation) {
      now.checkedAt = performance.now();
      return now.texts;
    }
    const texts = query(em, 'select code, text from code_description').then((rows) => new Map(rows.map((r) => [String(r.code), String(r.text)])));
    if (started !== this.generation) return texts;
    const fresh: Slot = { checkedAt: performance.now(), fingerprint, texts };
    this.slots.set(key, fresh);
    texts.then((m) => (fresh.ready = m), () => this.slots.get(key) === fresh && this.slots.delete(key));
    return texts;
  }
}
