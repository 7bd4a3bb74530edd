import type { EntityManager } from '@mikro-orm/core';
import { dialectOf, runSql } from '../crypto/columns.ts';
import { AUDIT_ENTRY_COLUMNS, decodeAuditRow, type AuditEntryRow } from './audit-row.ts';

export interface AuditFilter {
  since?: Date;
  /** The actor (user email, `cli`, `worker`). */
  user?: string;
  caseId?: number;
}

export interface ExportedAuditEntry {
  seq: number | null;
  id: number;
  at: string;
  actor: string;
  action: string;
  caseId: number | null;
  draftId: number | null;
  details: Record<string, unknown>;
  hash: string | null;
}

/** Audit entries matching the filter, in chain order, read in pages (read-only: never updates or deletes). */
export async function* exportAudit(em: EntityManager, filter: AuditFilter, pageSize = 1000): AsyncGenerator<ExportedAuditEntry> {
  const where: string[] = ['id > ?'];
  const params: unknown[] = [];
  if (filter.since) {
    where.push('at >= ?');
    params.push(dialectOf(em.getPlatform()) === 'sqlite' ? filter.since.getTime() : filter.since);
  }
  if (filter.user) {
    where.push('actor = ?');
    params.push(filter.user);
  }
  if (filter.caseId !== undefined) {
    where.push('case_id = ?');
    params.push(filter.caseId);
  }
  let after = 0;
  for (;;) {
    const rows = await runSql<AuditEntryRow>(em, `select ${AUDIT_ENTRY_COLUMNS} from audit_entry where ${where.join(' and ')} order by id limit ?`, [after, ...params, pageSize]);
    for (const r of rows) {
      const { seq, id, at, actor, action, caseId, draftId, details, hash } = decodeAuditRow(r);
      yield { seq, id, at: at.toISOString(), actor, action, caseId, draftId, details, hash };
    }
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].id);
  }
}

const CSV_COLUMNS = ['seq', 'id', 'at', 'actor', 'action', 'caseId', 'draftId', 'details', 'hash'] as const;

function csvCell(v: unknown): string {
  const s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const auditCsvHeader = `${CSV_COLUMNS.join(',')}\n`;

/** One entry as a CSV line (RFC 4180 quoting; details as JSON). */
export function auditCsvLine(e: ExportedAuditEntry): string {
  return `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\n`;
}
