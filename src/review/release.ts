import type { EntityManager } from '@mikro-orm/core';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { quotaDecision } from '../cases/quota.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { Plans } from '../subscribers/subscribers.ts';
import { AuditEntry } from './audit.entity.ts';

export interface ReleaseResult {
  caseId: number;
  /** The case's inbound messages that now want a draft (the caller queues `draft` for each). */
  caseMessageIds: number[];
  /** The release counted against a quota that was already used up (the consultant's call). */
  overQuota: boolean;
  /** The case was not held (already released): nothing changed. */
  already: boolean;
}

/**
 * Release a case held as `unverified sender` (SENDER_AUTH=enforce): a consultant has decided the
 * message is genuine. In one transaction the case counts against its subscriber's quota (it carries
 * the subscriber from now on; counted even when the month's quota is used up, which the result
 * says), opens, and its inbound messages want a draft. No notice is sent. Releasing a case that is
 * not held changes nothing (`already`). @throws NotFoundError, ConflictError (the address is no
 * longer a subscriber's).
 */
export async function releaseHeldCase(em: EntityManager, input: { caseId: number; actor: string; plans: Plans; now?: Date }): Promise<ReleaseResult> {
  return em.transactional(async (tx) => {
    const caseRow = await tx.findOne(Case, { id: input.caseId });
    if (!caseRow) throw new NotFoundError(`case ${input.caseId} not found`);
    if (caseRow.state !== 'held') return { caseId: caseRow.id, caseMessageIds: [], overQuota: false, already: true };
    const quota = await quotaDecision(tx, caseRow.requesterEmail, input.now ?? new Date(), input.plans);
    if (quota.kind === 'stranger') throw new ConflictError(`CD-${caseRow.id}: the sender is no longer a subscriber; the case stays held`);
    caseRow.subscriberId = quota.subscriber.id;
    caseRow.state = 'open';
    caseRow.holdReason = null;
    const inbound = await tx.find(CaseMessage, { caseId: caseRow.id, direction: 'in' }, { orderBy: { id: 'asc' } });
    for (const m of inbound) m.wantsDraft = true;
    await appendAudit(tx, { actor: input.actor, action: 'case.release', caseId: caseRow.id, details: { overQuota: quota.over, messages: inbound.length } });
    return { caseId: caseRow.id, caseMessageIds: inbound.map((m) => m.id), overQuota: quota.over, already: false };
  });
}
