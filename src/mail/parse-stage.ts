import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { resolveThread } from '../cases/threading.ts';
import { isUniqueViolation } from '../db/orm.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { Outbox } from '../send/outbox.entity.ts';
import type { Logger } from '../shared/logger.ts';
import { hashMessageId, normalizeMessageId, splitMessageIds, syntheticMessageId } from './message-id.ts';
import type { ParsedMessage } from './parsed-message.ts';

export type SafeParse = (raw: Buffer) => Promise<{ ok: true; message: ParsedMessage } | { ok: false; reason: string; code: string }>;
export interface MessageClassification {
  kind: string;
  answerable: boolean;
  reasons: string[];
}
export interface BounceReport {
  returnedMessageIds: string[];
  status: string | null;
  diagnostic: string | null;
  recipient: string | null;
  /** DSN action (`failed`, `delayed`, …) when known. */
  action?: string | null;
}

/** What happens to a new human message, decided by the subscription side (issue 5). */
export interface IntakeDecision {
  /** Whether the inbound question gets a draft for a consultant. */
  wantsDraft: boolean;
  subscriberId?: number | null;
  /** Case state for a new case (a stranger's question is recorded, closed, and not drafted). */
  caseState?: Case['state'];
  /** Automatic notices to queue in the same transaction (rendered by the caller's policy). */
  notices?: Array<Pick<Outbox, 'kind' | 'toAddress' | 'subject' | 'text' | 'html' | 'dedupeKey'>>;
}

export type IntakePolicy = (
  tx: EntityManager,
  input: { fromAddress: string; fromName: string | null; subject: string; isNewCase: boolean; caseId: number; inboundId: number; messageId: string; references: string[]; now: Date },
) => Promise<IntakeDecision>;

export interface ParseDeps {
  em: EntityManager;
  log: Logger;
  parse: SafeParse;
  classify: (message: ParsedMessage) => MessageClassification;
  readBounce: (message: ParsedMessage) => BounceReport | null;
  newText: (input: { text: string; html?: string | null; subject?: string | null }) => string;
  /** Domain of our own Message-IDs (stand-in ids for messages without one). */
  ownDomain: string;
  dueHours: number;
  intake?: IntakePolicy;
  /** Makes the Message-ID of an automatic notice (deterministic from its dedupe key). */
  makeMessageId: (dedupeKey: string, caseId: number) => string;
  now?: () => Date;
}

export type ParseResult =
  | { outcome: 'case-message'; caseId: number; caseMessageId: number; newCase: boolean; wantsDraft: boolean; outboxIds: number[] }
  | { outcome: 'ignored'; kind: string; reasons: string[]; bouncedOutboxIds: number[] }
  | { outcome: 'duplicate'; of: number }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'skipped'; state: string };

const answerEveryone: IntakePolicy = async () => ({ wantsDraft: true });

/**
 * The parse stage for one stored inbound message: parse within limits, classify, and then
 * exactly one of: quarantine (over a limit, unparseable), ignore (automatic mail, recorded
 * with kind and reasons; a bounce of our reply marks the outbox row), duplicate (Message-ID
 * already in a case), or a case message (threaded into its case or opening a new one).
 *
 * Idempotent on database state: a message already past `stored` is not redone; a `parsed`
 * one returns its case message again so the caller can (re)queue the draft.
 */
export async function parseInbound(deps: ParseDeps, input: { inboundId: number }): Promise<ParseResult> {
  const { em, log } = deps;
  const now = deps.now?.() ?? new Date();
  const inbound = await em.findOne(InboundMessage, { id: input.inboundId }, { populate: ['raw'] });
  if (!inbound) return { outcome: 'skipped', state: 'missing' };
  if (inbound.state === 'parsed' && inbound.caseId && inbound.caseMessageId) {
    const cm = await em.findOne(CaseMessage, { id: inbound.caseMessageId }, { fields: ['wantsDraft'] });
    const queued = await em.find(Outbox, { caseId: inbound.caseId, state: 'queued', dedupeKey: { $like: `notice:%:${inbound.id}` } }, { fields: ['id'] });
    return { outcome: 'case-message', caseId: inbound.caseId, caseMessageId: inbound.caseMessageId, newCase: false, wantsDraft: Boolean(cm?.wantsDraft), outboxIds: queued.map((o) => o.id) };
  }
  if (inbound.state !== 'stored') return { outcome: 'skipped', state: inbound.state };

  const parsed = await deps.parse(inbound.raw);
  if (!parsed.ok) {
    inbound.state = 'quarantined';
    inbound.kind = 'quarantine';
    inbound.reasons = [parsed.code];
    inbound.error = parsed.reason;
    await em.flush();
    log.warn({ inboundId: inbound.id, code: parsed.code }, 'message quarantined');
    return { outcome: 'quarantined', reason: parsed.reason };
  }
  const msg = parsed.message;
  const classification = deps.classify(msg);

  if (!classification.answerable) {
    const bounced = classification.kind === 'bounce' ? await markBounces(em, deps.readBounce(msg)) : [];
    inbound.state = 'ignored';
    inbound.kind = classification.kind;
    inbound.reasons = classification.reasons;
    const thread = await resolveThread(threadInput(msg), lookups(em));
    if (thread.kind === 'existing') inbound.caseId = thread.caseId;
    await em.flush();
    log.info({ inboundId: inbound.id, kind: classification.kind, bounced: bounced.length }, 'automatic message ignored');
    return { outcome: 'ignored', kind: classification.kind, reasons: classification.reasons, bouncedOutboxIds: bounced };
  }

  if (!msg.from?.address || !msg.from.address.includes('@')) {
    // A message with no usable sender (empty, headerless, mangled From) cannot be answered;
    // it is kept raw and visible rather than turned into a case nobody can reply to.
    inbound.state = 'quarantined';
    inbound.kind = 'quarantine';
    inbound.reasons = ['no-sender'];
    inbound.error = msg.from?.address ? `the From address "${msg.from.address.slice(0, 100)}" is not an email address` : 'the message has no From address: nobody to answer';
    await em.flush();
    log.warn({ inboundId: inbound.id }, 'message without sender quarantined');
    return { outcome: 'quarantined', reason: inbound.error };
  }
  const messageId = normalizeMessageId(msg.messageId) ?? syntheticMessageId(inbound.id, deps.ownDomain);
  const messageIdHash = hashMessageId(messageId);
  const already = await em.findOne(CaseMessage, { messageIdHash }, { fields: ['id', 'caseId'] });
  if (already) return markDuplicate(em, inbound, already, log);

  const thread = await resolveThread(threadInput(msg), lookups(em));
  const fromAddress = (msg.from?.address ?? '').toLowerCase();
  const intake = deps.intake ?? answerEveryone;
  try {
    const result = await em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(InboundMessage, { id: inbound.id });
      let caseRow: Case;
      if (thread.kind === 'existing') {
        caseRow = await tx.findOneOrFail(Case, { id: thread.caseId });
        caseRow.lastInboundAt = now;
        if (caseRow.state === 'answered') caseRow.state = 'open';
      } else {
        caseRow = tx.create(Case, {
          subject: msg.subject || '(no subject)',
          requesterEmail: fromAddress || 'unknown@invalid',
          requesterName: msg.from?.name || null,
          openedAt: now,
          lastInboundAt: now,
          dueAt: new Date(now.getTime() + deps.dueHours * 3_600_000),
        });
        await tx.flush();
      }
      const decision = await intake(tx, {
        fromAddress, fromName: msg.from?.name || null, subject: msg.subject, isNewCase: thread.kind === 'new',
        caseId: caseRow.id, inboundId: inbound.id, messageId, references: msg.references, now,
      });
      if (thread.kind === 'new') {
        caseRow.subscriberId = decision.subscriberId ?? null;
        if (decision.caseState) caseRow.state = decision.caseState;
      }
      const caseMessage = tx.create(CaseMessage, {
        caseId: caseRow.id,
        direction: 'in',
        inboundMessageId: inbound.id,
        messageId,
        messageIdHash,
        inReplyTo: normalizeMessageId(msg.inReplyTo),
        references: msg.references,
        fromAddress: fromAddress || 'unknown@invalid',
        fromName: msg.from?.name || null,
        toAddresses: msg.to.map((a) => a.address),
        subject: msg.subject,
        textNew: deps.newText({ text: msg.text, html: msg.html, subject: msg.subject }),
        textFull: msg.text,
        html: msg.html,
        wantsDraft: decision.wantsDraft,
        sentAt: msg.date ? new Date(msg.date) : now,
      });
      const outboxes = (decision.notices ?? []).map((n) =>
        tx.create(Outbox, {
          ...n,
          caseId: caseRow.id,
          messageId: deps.makeMessageId(n.dedupeKey, caseRow.id),
          inReplyTo: messageId,
          references: [...msg.references, messageId],
          autoSubmitted: true,
        }),
      );
      row.state = 'parsed';
      row.kind = 'human';
      row.reasons = classification.reasons;
      row.caseId = caseRow.id;
      await tx.flush();
      row.caseMessageId = caseMessage.id;
      await tx.flush();
      return { caseId: caseRow.id, caseMessageId: caseMessage.id, wantsDraft: decision.wantsDraft, outboxIds: outboxes.map((o) => o.id) };
    });
    log.info({ inboundId: inbound.id, caseId: result.caseId, newCase: thread.kind === 'new', notices: result.outboxIds.length }, 'message threaded');
    return { outcome: 'case-message', newCase: thread.kind === 'new', ...result };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A concurrent run (or an identical copy) got there first: settle on what is stored.
    const fresh = em.fork();
    const current = await fresh.findOneOrFail(InboundMessage, { id: inbound.id });
    if (current.state !== 'stored') return parseInbound({ ...deps, em: fresh }, input);
    const other = await fresh.findOneOrFail(CaseMessage, { messageIdHash }, { fields: ['id', 'caseId'] });
    return markDuplicate(fresh, current, other, log);
  }
}

function threadInput(msg: ParsedMessage) {
  return {
    inReplyTo: normalizeMessageId(msg.inReplyTo),
    references: splitMessageIds(msg.references),
    subject: msg.subject,
    fromAddress: msg.from?.address ?? '',
  };
}

function lookups(em: EntityManager) {
  return {
    caseByMessageId: async (id: string) => (await em.findOne(CaseMessage, { messageIdHash: hashMessageId(id) }, { fields: ['caseId'] }))?.caseId ?? null,
    caseRequester: async (caseId: number) => (await em.findOne(Case, { id: caseId }, { fields: ['requesterEmail'] }))?.requesterEmail ?? null,
  };
}

async function markDuplicate(em: EntityManager, inbound: InboundMessage, of: Pick<CaseMessage, 'id' | 'caseId'>, log: Logger): Promise<ParseResult> {
  inbound.state = 'duplicate';
  inbound.kind = 'duplicate';
  inbound.reasons = [`Message-ID already in case CD-${of.caseId} (case message ${of.id})`];
  inbound.caseId = of.caseId;
  await em.flush();
  log.info({ inboundId: inbound.id, caseMessageId: of.id }, 'duplicate message');
  return { outcome: 'duplicate', of: of.id };
}

/** A bounce that returns one of our replies marks that outbox row `bounced` with status and diagnostic. */
async function markBounces(em: EntityManager, bounce: BounceReport | null): Promise<number[]> {
  // Only a failure bounces the reply; a delay warning means it may still arrive.
  if (!bounce || (bounce.action && bounce.action !== 'failed')) return [];
  const ids = bounce.returnedMessageIds.map((id) => normalizeMessageId(id)).filter((id): id is string => id !== null);
  if (ids.length === 0) return [];
  const rows = await em.find(Outbox, { messageId: { $in: ids.flatMap((id) => [id, id.toLowerCase()]) } });
  for (const row of rows) {
    row.state = 'bounced';
    row.bounceStatus = bounce.status;
    row.bounceDiagnostic = bounce.diagnostic;
  }
  return rows.map((r) => r.id);
}
