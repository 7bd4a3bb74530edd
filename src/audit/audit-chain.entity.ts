import { BigIntType, EntitySchema } from '@mikro-orm/core';

/**
 * The head of the audit chain: one row (id 1) holding the sequence number and hash of the last
 * entry. Appenders lock it first, so the chain never forks; `audit verify` compares the chain's
 * end with it, so removing the newest entries is detected too.
 */
export class AuditChainHead {
  id!: number;
  seq!: number;
  hash!: string;
}

export const AuditChainHeadSchema = new EntitySchema<AuditChainHead>({
  class: AuditChainHead,
  tableName: 'audit_chain_head',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    seq: { type: new BigIntType('number') },
    hash: { type: 'string', length: 64 },
  },
});

/**
 * The chain columns the integration adds to AuditEntrySchema (src/review/audit.entity.ts):
 * spread into its `properties` and add `seq?: number | null; prevHash?: string | null;
 * hash?: string | null` to the class. Nullable so the migration can add them to a table that
 * has rows; `chainExistingEntries` fills them, and `audit verify` reports any row left without.
 * Entries are written only by appendAudit, never by `em.create(AuditEntry, …)`.
 */
export const auditChainProperties = {
  seq: { type: new BigIntType('number'), nullable: true, unique: true },
  prevHash: { type: 'string', length: 64, nullable: true },
  hash: { type: 'string', length: 64, nullable: true },
} as const;
