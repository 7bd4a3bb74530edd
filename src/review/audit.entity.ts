import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import { auditChainProperties } from '../audit/audit-chain.entity.ts';

/** Who did what to which case or draft, and when: the review side's audit log. */
export class AuditEntry {
  [OptionalProps]?: 'details' | 'at' | 'seq' | 'prevHash' | 'hash';
  id!: number;
  actor!: string;
  action!: string;
  caseId?: number | null;
  draftId?: number | null;
  details: Record<string, unknown> = {};
  at: Date = new Date();
  /** The hash chain (src/audit): written only by appendAudit, never by em.create. */
  seq?: number | null;
  prevHash?: string | null;
  hash?: string | null;
}

export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  class: AuditEntry,
  tableName: 'audit_entry',
  indexes: [{ properties: ['caseId'] }, { properties: ['at'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    actor: { type: 'string', length: 320 },
    action: { type: 'string', length: 64 },
    caseId: { type: 'integer', nullable: true },
    draftId: { type: 'integer', nullable: true },
    details: { type: 'json' },
    at: { type: 'datetime' },
    ...auditChainProperties,
  },
});
