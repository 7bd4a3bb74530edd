import type { EntityManager } from '@mikro-orm/core';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { Outbox, type OutboxKind, type OutboxState } from '../cases/outbox.entity.ts';
import { Draft } from '../drafts/draft.entity.ts';
import { recordSent } from '../drafts/record-sent.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { AuditEntry } from './audit.entity.ts';

export const OUTBOX_STATES: readonly OutboxState[] = ['queued', 'sending', 'sent', 'unknown', 'failed', 'bounced'];
export const OUTBOX_KINDS: readonly OutboxKind[] = ['answer', 'needs-info', 'received', 'not-subscribed', 'over-quota'];

/** One outgoing mail as operators see it: ids, kind, state, attempts and the last error; no address, no text. */
export interface OutboxRow {
  id: number;
  caseId: number | null;
  case: string | null;
  draftId: number | null;
  kind: OutboxKind;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /** An `unknown` row a human may now resend or mark sent (its copy had time to come back). */
  decidable: boolean;
}

export interface OutboxListOptions {
  state?: OutboxState;
  kind?: OutboxKind;
  limit?: number;
  /** How long an `unknown` row waits for its sent copy before a human decides (UNKNOWN_RESEND_MINUTES; 0 without SENT_COPY). */
  decideAfterMs?: number;
  now?: Date;
}

/** Every outgoing mail (notices and replies), newest first, optionally by state and kind. */
export async function listOutbox(em: EntityManager, opts: OutboxListOptions = {}): Promise<OutboxRow[]> {
  const where: Record<string, unknown> = {};
  if (opts.state) where.state = opts.state;
  if (opts.kind) where.kind = opts.kind;
  const rows = await em.find(Outbox, where, {
    orderBy: { id: 'desc' },
    limit: opts.limit ?? 200,
    fields: ['id', 'caseId', 'draftId', 'kind', 'state', 'attempts', 'lastError', 'createdAt', 'updatedAt'],
  });
  const now = (opts.now ?? new Date()).getTime();
  return rows.map((o) => ({
    id: o.id, caseId: o.caseId ?? null, case: o.caseId ? `CD-${o.caseId}` : null, draftId: o.draftId ?? null, kind: o.kind, state: o.state,
    attempts: o.attempts, lastError: o.lastError ?? null, createdAt: new Date(o.createdAt).toISOString(), updatedAt: new Date(o.updatedAt).toISOString(),
    decidable: o.state === 'unknown' && now - new Date(o.updatedAt).getTime() >= (opts.decideAfterMs ?? 0),
  }));
}

async function unknownRow(em: EntityManager, outboxId: number): Promise<Outbox> {
  const row = await em.findOne(Outbox, { id: outboxId });
  if (!row) throw new NotFoundError(`outbox ${outboxId} not found`);
  if (row.state !== 'unknown') throw new ConflictError(`outbox ${outboxId} is ${row.state}, not unknown`);
  return row;
}

async function audit(em: EntityManager, row: Outbox, actor: string, action: string): Promise<void> {
  await appendAudit(em, { actor, action, caseId: row.caseId ?? null, draftId: row.draftId ?? null, details: { outboxId: row.id, kind: row.kind } });
}

/**
 * A human checked with the recipient: the `unknown` mail did not arrive. Back to `queued` (its
 * draft back to `approved`); the caller queues the send job. The same Message-ID goes out, so
 * a copy that did arrive after all threads as the same mail. Audited.
 */
export async function resendUnknown(em: EntityManager, input: { outboxId: number; actor: string }): Promise<Outbox> {
  const row = await unknownRow(em, input.outboxId);
  await em.transactional(async (tx) => {
    const changed = await tx.nativeUpdate(Outbox, { id: row.id, state: 'unknown' }, { state: 'queued', lastError: null, updatedAt: new Date() });
    if (changed !== 1) throw new ConflictError(`outbox ${row.id} is no longer unknown`);
    if (row.draftId) await tx.nativeUpdate(Draft, { id: row.draftId }, { state: 'approved' });
    await audit(tx, row, input.actor, 'outbox.resend');
  });
  return row;
}

/** A human checked with the recipient: the `unknown` mail arrived. Recorded as sent (draft, reply, case answered). Audited. */
export async function markUnknownSent(em: EntityManager, input: { outboxId: number; actor: string; from: { name: string; address: string } }): Promise<Outbox> {
  const row = await unknownRow(em, input.outboxId);
  const changed = await recordSent(em.fork(), row, input.from, `marked sent by ${input.actor}`, ['unknown']);
  if (!changed) throw new ConflictError(`outbox ${row.id} is no longer unknown`);
  const log = em.fork();
  await audit(log, row, input.actor, 'outbox.mark-sent');
  await log.flush();
  return row;
}
