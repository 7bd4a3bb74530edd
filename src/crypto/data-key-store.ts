import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { DataKey } from './data-key.entity.ts';

/** A data key row as the keyring and the rotation see it. */
export interface DataKeyRecord {
  id: number;
  wrapped: string;
  masterKeyId: string;
  createdAt: Date;
  activeFrom: Date;
  retiredAt: Date | null;
}

/**
 * Where data keys live. The keyring and `rotate` use only this, so their rules are tested with
 * an in-memory store and the database adapter stays a few lines of MikroORM.
 */
export interface DataKeyStore {
  /** Keys with an id above `afterId`, ascending. */
  list(afterId: number): Promise<DataKeyRecord[]>;
  /**
   * Insert a key and retire the keys before it as of its activeFrom; false when the id exists
   * (another process created that generation first).
   */
  insert(record: DataKeyRecord): Promise<boolean>;
  /** Up to `limit` keys above `afterId` that `masterKeyId` does not wrap, ascending. */
  listNotWrappedBy(masterKeyId: string, afterId: number, limit: number): Promise<DataKeyRecord[]>;
  /** Replace the wrapping when the key is still wrapped by `fromMasterKeyId`; false if it was not. */
  rewrap(id: number, fromMasterKeyId: string, wrapped: string, toMasterKeyId: string): Promise<boolean>;
}

function toRecord(row: DataKey): DataKeyRecord {
  return { id: row.id, wrapped: row.wrapped, masterKeyId: row.masterKeyId, createdAt: row.createdAt, activeFrom: row.activeFrom, retiredAt: row.retiredAt ?? null };
}

/** The data_key table through MikroORM; every call runs in a fresh fork of `em`. */
export class OrmDataKeyStore implements DataKeyStore {
  constructor(private readonly em: EntityManager) {}

  async list(afterId: number): Promise<DataKeyRecord[]> {
    const rows = await this.em.fork().find(DataKey, { id: { $gt: afterId } }, { orderBy: { id: 'asc' }, disableIdentityMap: true });
    return rows.map(toRecord);
  }

  async insert(record: DataKeyRecord): Promise<boolean> {
    try {
      await this.em.fork().transactional(async (tx) => {
        await tx.insert(DataKey, { ...record, rewrappedAt: null });
        await tx.nativeUpdate(DataKey, { id: { $lt: record.id }, retiredAt: null }, { retiredAt: record.activeFrom });
      });
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return false;
      throw err;
    }
  }

  async listNotWrappedBy(masterKeyId: string, afterId: number, limit: number): Promise<DataKeyRecord[]> {
    const rows = await this.em
      .fork()
      .find(DataKey, { id: { $gt: afterId }, masterKeyId: { $ne: masterKeyId } }, { orderBy: { id: 'asc' }, limit, disableIdentityMap: true });
    return rows.map(toRecord);
  }

  async rewrap(id: number, fromMasterKeyId: string, wrapped: string, toMasterKeyId: string): Promise<boolean> {
    const changed = await this.em
      .fork()
      .nativeUpdate(DataKey, { id, masterKeyId: fromMasterKeyId }, { wrapped, masterKeyId: toMasterKeyId, rewrappedAt: new Date() });
    return changed === 1;
  }
}
