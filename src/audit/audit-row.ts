import type { AuditRecord } from './audit-chain.ts';
import { rowDate } from '../shared/db.ts';

/** An audit_entry row as the drivers return it: SQLite gives JSON as text and times as epoch milliseconds, PostgreSQL parsed values. */
export interface AuditEntryRow {
  id: number | string;
  seq: number | string | null;
  actor: string;
  action: string;
  case_id: number | string | null;
  draft_id: number | string | null;
  details: string | Record<string, unknown> | null;
  at: Date | number | string;
  prev_hash: string | null;
  hash: string | null;
}

export const AUDIT_ENTRY_COLUMNS = 'id, seq, actor, action, case_id, draft_id, details, at, prev_hash, hash';

/** The row with its values decoded the same way on both drivers (nulls kept). */
export interface DecodedAuditRow extends AuditRecord {
  id: number;
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

const num = (v: number | string | null): number | null => (v == null ? null : Number(v));

export function decodeAuditRow(row: AuditEntryRow): DecodedAuditRow {
  return {
    id: Number(row.id),
    seq: num(row.seq),
    actor: row.actor,
    action: row.action,
    caseId: num(row.case_id),
    draftId: num(row.draft_id),
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : (row.details ?? {}),
    at: rowDate(row.at)!,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
