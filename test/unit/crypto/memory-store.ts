import type { DataKeyRecord, DataKeyStore } from '../../../src/crypto/data-key-store.ts';

/** An in-memory DataKeyStore with the same rules as the table: unique id, compare-and-set re-wrap. */
export class MemoryDataKeyStore implements DataKeyStore {
  readonly rows = new Map<number, DataKeyRecord>();
  /** Throw on the n-th rewrap (1-based): a crash half-way through a rotation. */
  failOnRewrap: number | null = null;
  rewraps = 0;

  async list(afterId: number): Promise<DataKeyRecord[]> {
    return [...this.rows.values()].filter((r) => r.id > afterId).sort((a, b) => a.id - b.id).map((r) => ({ ...r }));
  }

  async insert(record: DataKeyRecord): Promise<boolean> {
    if (this.rows.has(record.id)) return false;
    for (const r of this.rows.values()) if (r.id < record.id && r.retiredAt === null) r.retiredAt = record.activeFrom;
    this.rows.set(record.id, { ...record });
    return true;
  }

  async listNotWrappedBy(masterKeyId: string, afterId: number, limit: number): Promise<DataKeyRecord[]> {
    return (await this.list(afterId)).filter((r) => r.masterKeyId !== masterKeyId).slice(0, limit);
  }

  async rewrap(id: number, from: string, wrapped: string, to: string): Promise<boolean> {
    this.rewraps += 1;
    if (this.failOnRewrap !== null && this.rewraps === this.failOnRewrap) throw new Error('simulated crash');
    const row = this.rows.get(id);
    if (!row || row.masterKeyId !== from) return false;
    this.rows.set(id, { ...row, wrapped, masterKeyId: to });
    return true;
  }
}
