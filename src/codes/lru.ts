/**
 * A small least-recently-used map: `get` refreshes an entry, `set` drops the oldest entry once
 * `max` are held. Built on Map's insertion order (delete and re-insert moves a key to the end).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  /** Drop every entry whose key starts with `prefix` (keys are strings then). */
  deletePrefix(prefix: string): void {
    for (const key of this.map.keys()) if (String(key).startsWith(prefix)) this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
