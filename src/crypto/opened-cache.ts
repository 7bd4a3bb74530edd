/**
 * The plaintext of values this process recently sealed or opened, keyed by their ciphertext.
 *
 * Why: MikroORM decides at each flush whether a loaded entity changed by comparing a fresh
 * snapshot (freshly encrypted, so always a different ciphertext) with the one it loaded. Without
 * this cache that comparison decrypts both sides, for every encrypted field of every managed
 * entity at every flush. With it, both sides are usually found here.
 *
 * Keyed by ciphertext (label, length and the first bytes, which hold the key id and the random
 * IV), never by plaintext: equal plaintexts never share a ciphertext, so nothing about equality
 * leaks into the database. Used only to compare values, never to answer a read. Bounded by the
 * total size of the plaintexts it holds; the oldest entries go first.
 */
export class OpenedValueCache {
  private readonly entries = new Map<string, string | Buffer>();
  private held = 0;

  constructor(private readonly budgetBytes = 16 * 1024 * 1024) {}

  static textKey(label: string, sealed: string): string {
    return `${label}|${sealed.length}|${sealed.slice(0, 48)}`;
  }

  static bytesKey(label: string, sealed: Buffer): string {
    return `${label}|${sealed.length}|${sealed.subarray(0, 20).toString('base64')}`;
  }

  get(key: string): string | Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, plain: string | Buffer): void {
    const size = typeof plain === 'string' ? plain.length * 2 : plain.length;
    if (size > this.budgetBytes / 4 || this.entries.has(key)) return;
    this.entries.set(key, plain);
    this.held += size;
    for (const [k, v] of this.entries) {
      if (this.held <= this.budgetBytes) break;
      this.entries.delete(k);
      this.held -= typeof v === 'string' ? v.length * 2 : v.length;
    }
  }

  /** Entries and bytes held (for tests and metrics). */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.held };
  }
}
