import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * One data key: 32 random bytes that encrypt message content, stored only wrapped (AES-256-GCM)
 * by a master key. The id is the key's generation (1, 2, …), assigned by the writer, so two
 * processes that create a key at once collide on the primary key instead of both succeeding.
 * Values name the id of the key that encrypted them in their own header.
 */
export class DataKey {
  [OptionalProps]?: 'createdAt' | 'retiredAt' | 'rewrappedAt';
  id!: number;
  /** `1:<base64 of IV ‖ wrapped key ‖ tag>`, bound to the id by its authenticated data. */
  wrapped!: string;
  /** Which master key wraps it (`mk-…`); `keys rotate` moves every row to the new one. */
  masterKeyId!: string;
  createdAt: Date = new Date();
  /** First moment new values may be written with it (other processes load it before then). */
  activeFrom!: Date;
  /** When a successor took over new writes; it still opens the values it wrote. */
  retiredAt?: Date | null;
  rewrappedAt?: Date | null;
}

export const DataKeySchema = new EntitySchema<DataKey>({
  class: DataKey,
  tableName: 'data_key',
  indexes: [{ properties: ['masterKeyId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    wrapped: { type: 'string', length: 128 },
    masterKeyId: { type: 'string', length: 32 },
    createdAt: { type: 'datetime' },
    activeFrom: { type: 'datetime' },
    retiredAt: { type: 'datetime', nullable: true },
    rewrappedAt: { type: 'datetime', nullable: true },
  },
});
