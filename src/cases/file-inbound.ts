import type { EntityManager } from '@mikro-orm/core';
import { countAttachments } from '../attachments/record.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { readInbound, settleStored, type BounceReport, type ReadDeps, type ReadResult } from '../mail/parse-stage.ts';
import type { ParsedMessage } from '../mail/parsed-message.ts';
import { inTransaction, isUniqueViolation, query } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import { hashMessageId, normalizeMessageId, splitMessageIds, syntheticMessageId } from '../shared/message-id.ts';
import { readHeaderFields, readSpamVerdict, type SenderAuthMode, type SenderAuthResult } from '../mail/auth/index.ts';
import { markBounces } from './bounces.ts';
import { CaseMessage } from './case.entity.ts';
import { ClassificationCorrection } from './correction.entity.ts';
import { InboundAlreadySettled, openOrThread, prepareCaseMessage, type OpenCaseDeps } from './open-case.ts';
import { Outbox } from './outbox.entity.ts';
import { resolveThread, type ThreadInput, type ThreadLookups } from './threading.ts';

export interface FileDeps extends ReadDeps, OpenCaseDeps {
  readBounce: (message: ParsedMessage) => BounceReport | null;
  /** Domain of our own Message-IDs (stand-in ids for messages without one). */
  ownDomain: string;
  now?: () => Date;
  /** SENDER_AUTH and the check (authenticateSender bound to AUTHSERV_IDS and a resolver); without it: `off`. */
  senderAuth?: { mode: SenderAuthMode; check: (raw: Buffer) => Promise<SenderAuthResult> };
  /**
   * SENT_COPY=bcc: our own outgoing mail coming back. Given the Message-ID of a message from us,
   * confirm its outbox row (`unknown` → `sent`) and say which it was; null when it is not ours.
   */
  ownCopy?: (em: EntityManager, messageId: string) => Promise<{ outboxId: number; caseId: number | null; confirmed: boolean; note?: string } | { forged: true } | null>;
  /**
   * Before a message opens a new case: wait (bounded, holding no transaction) for the earlier
   * messages of its mailbox still being parsed, so case numbers follow arrival order
   * (workers/filing-turn.ts); true when it waited. Without it (scripts, tests of one message) a
   * case is opened at once.
   */
  awaitTurn?: (em: EntityManager, inbound: { id: number; mailbox: string; receivedAt: Date }) => Promise<boolean>;
}

type Sender = NonNullable<Parameters<typeof openOrThread>[2]['sender']>;

/**
 * The sender check of one message, decided once: the filing that uses it stores the verdict and
 * its reasons on the inbound row (in the same statement that claims the row, ./open-case.ts),
 * and any later run (a re-run after a crash) reuses a stored one. The spam verdict is read from
 * the header each time (it is a pure function of the bytes).
 */
async function senderOf(deps: FileDeps, inbound: InboundMessage): Promise<Sender> {
  const mode = deps.senderAuth?.mode ?? 'off';
  // A message being filed still has its raw source (retention purges only filed messages).
  const raw = inbound.raw ?? Buffer.alloc(0);
  const spam = readSpamVerdict(readHeaderFields(raw).fields);
  if (!deps.senderAuth || mode === 'off') return { mode: 'off', verdict: 'unknown', reasons: [], spam };
  if (inbound.senderVerdict) return { mode, verdict: inbound.senderVerdict, reasons: inbound.senderReasons ?? [], spam };
  const result = await deps.senderAuth.check(raw);
  deps.log.info({ inboundId: inbound.id, verdict: result.verdict, method: result.method }, 'sender checked');
  return { mode, verdict: result.verdict, reasons: result.reasons.map((r) => r.slice(0, 200)).slice(0, 20), spam };
}

export type FileResult =
  | { outcome: 'case-message'; caseId: number; caseMessageId: number; newCase: boolean; wantsDraft: boolean; outboxIds: number[]; attachmentsToScan: number }
  | { outcome: 'ignored'; kind: string; reasons: string[]; bouncedOutboxIds: number[] }
  | { outcome: 'duplicate'; of: number }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'skipped'; state: string };

type Read = Extract<ReadResult, { outcome: 'read' }>;

/**
 * The parse queue's stage for one stored inbound message. src/mail/parse-stage.ts reads it
 * (parse within limits, classify, quarantine what cannot be answered); then exactly one of:
 * ignore (automatic mail, recorded with kind and reasons; a bounce of our reply marks the
 * outbox row), duplicate (Message-ID already in a case), or a case message (threaded into its
 * case or opening a new one, with the subscriber intake and its notices: ./open-case.ts).
 *
 * Idempotent on database state: a message already past `stored` is not redone; a `parsed`
 * one returns its case message again so the caller can (re)queue the draft.
 */
export async function fileInbound(deps: FileDeps, input: { inboundId: number }): Promise<FileResult> {
  const read = await readInbound(deps, input);
  if (read.outcome === 'quarantined') return read;
  if (read.outcome === 'skipped') return replayFiled(deps.em, read.inbound, read.state);
  if (read.classification.answerable) return fileHumanMessage(deps, read, input);
  if (!(await correctedToHuman(deps.em, read.inbound.id)) || !read.message.from?.address?.includes('@')) return ignoreAutomatic(deps, read);
  const classification = { ...read.classification, answerable: true, reasons: [...read.classification.reasons, 'a consultant marked it as a person\'s message'] };
  return fileHumanMessage(deps, { ...read, classification }, input);
}

/** A consultant said this message, taken for automatic mail, was a person's (src/review/corrections.ts). */
async function correctedToHuman(em: EntityManager, inboundId: number): Promise<boolean> {
  return (await em.count(ClassificationCorrection, { inboundId, label: 'human' })) > 0;
}

/** A message filed by an earlier run: its case message again, and the notices still queued. */
async function replayFiled(em: EntityManager, inbound: InboundMessage | null, state: string): Promise<FileResult> {
  if (!inbound || inbound.state !== 'parsed' || !inbound.caseId || !inbound.caseMessageId) return { outcome: 'skipped', state };
  const cm = await em.findOne(CaseMessage, { id: inbound.caseMessageId }, { fields: ['wantsDraft'] });
  const queued = await em.find(Outbox, { caseId: inbound.caseId, state: 'queued', dedupeKey: { $like: `notice:%:${inbound.id}` } }, { fields: ['id'] });
  const attachmentsToScan = await countAttachments(em, inbound.caseMessageId, ['pending-scan']);
  return { outcome: 'case-message', caseId: inbound.caseId, caseMessageId: inbound.caseMessageId, newCase: false, wantsDraft: Boolean(cm?.wantsDraft), outboxIds: queued.map((o) => o.id), attachmentsToScan };
}

/** Automatic mail: recorded (kind, reasons, its case when it answers one), never answered. */
async function ignoreAutomatic(deps: FileDeps, read: Read): Promise<FileResult> {
  const { em, log } = deps;
  const { inbound, message, classification } = read;
  if (classification.kind === 'own-loop' && deps.ownCopy) {
    const copy = await recordOwnCopy(deps, read);
    if (copy) return copy;
  }
  const bounced = classification.kind === 'bounce' ? await markBounces(em, deps.readBounce(message)) : [];
  await em.flush();
  const thread = await resolveThread(threadInput(message), threadLookups(em));
  const caseId = thread.kind === 'existing' ? thread.caseId : null;
  const settled = await settleStored(em, inbound.id, { state: 'ignored', kind: classification.kind, reasons: classification.reasons, caseId });
  if (!settled) return settledElsewhere(deps, inbound.id);
  log.info({ inboundId: inbound.id, kind: classification.kind, bounced: bounced.length }, 'automatic message ignored');
  return { outcome: 'ignored', kind: classification.kind, reasons: classification.reasons, bouncedOutboxIds: bounced };
}

/**
 * The service mailbox's copy of a mail we sent (SENT_COPY=bcc): never a question, never a case
 * message; recorded `ignored` as an own copy, after confirming an `unknown` send. Null when the
 * message is from us but is no outbox mail (it is then ignored as an ordinary own loop).
 */
async function recordOwnCopy(deps: FileDeps, read: Read): Promise<FileResult | null> {
  const messageId = normalizeMessageId(read.message.messageId);
  if (!messageId || !deps.ownCopy) return null;
  const copy = await deps.ownCopy(deps.em, messageId);
  if (!copy) return null;
  if ('forged' in copy) return quarantineForgedCopy(deps, read);
  const reasons = [`own copy of outbox ${copy.outboxId}`, ...(copy.confirmed ? ['confirmed the send'] : []), ...(copy.note ? [copy.note] : [])];
  const settled = await settleStored(deps.em, read.inbound.id, { state: 'ignored', kind: 'own-copy', reasons, caseId: copy.caseId });
  if (!settled) return settledElsewhere(deps, read.inbound.id);
  deps.log.info({ inboundId: read.inbound.id, outboxId: copy.outboxId, confirmed: copy.confirmed }, 'own copy of a sent mail');
  return { outcome: 'ignored', kind: 'own-copy', reasons, bouncedOutboxIds: [] };
}

/** A Message-ID in our form whose tag does not verify: not our mail, made to look like it. Held for a human; confirms nothing. */
async function quarantineForgedCopy(deps: FileDeps, read: Read): Promise<FileResult> {
  const reason = 'forged own copy: a Message-ID in our form whose tag does not verify (no send confirmed)';
  const settled = await settleStored(deps.em, read.inbound.id, { state: 'quarantined', kind: 'quarantine', reasons: ['forged-own-copy'], error: reason });
  if (!settled) return settledElsewhere(deps, read.inbound.id);
  deps.log.warn({ inboundId: read.inbound.id, code: 'forged-own-copy' }, 'forged own copy quarantined');
  return { outcome: 'quarantined', reason };
}

/** A human message: a duplicate of a Message-ID already filed, or filed into its case (new or existing). */
async function fileHumanMessage(deps: FileDeps, read: Read, input: { inboundId: number }): Promise<FileResult> {
  const { em, log } = deps;
  const { inbound, message } = read;
  const now = deps.now?.() ?? new Date();
  const messageId = normalizeMessageId(message.messageId) ?? syntheticMessageId(inbound.id, deps.ownDomain);
  const messageIdHash = hashMessageId(messageId);
  let thread = await resolveThread(threadInput(message), threadLookups(em));
  const sender = await senderOf(deps, inbound);
  // The earlier messages have filed meanwhile: this message may reply to one of them. (The copy
  // check below comes after the wait: one of them may have had this Message-ID.)
  if (thread.kind === 'new' && (await deps.awaitTurn?.(em, inbound))) thread = await resolveThread(threadInput(message), threadLookups(em));
  const already = await caseMessageWith(em, messageIdHash);
  if (already) return markDuplicate(deps, inbound, already);
  try {
    const filing = { inboundId: inbound.id, message, classification: read.classification, thread, messageId, messageIdHash, now, sender };
    const prepared = prepareCaseMessage(deps, filing);
    const filed = await inTransaction(em, (tx) => openOrThread(tx, deps, filing, prepared));
    log.info({ inboundId: inbound.id, caseId: filed.caseId, newCase: thread.kind === 'new', notices: filed.outboxIds.length, attachments: message.attachments?.length ?? 0 }, 'message threaded');
    return { outcome: 'case-message', newCase: thread.kind === 'new', ...filed };
  } catch (err) {
    if (err instanceof InboundAlreadySettled) return settledElsewhere(deps, inbound.id);
    if (!isUniqueViolation(err)) throw err;
    // A concurrent run (or an identical copy) got there first: settle on what is stored.
    const fresh = em.fork();
    const current = await fresh.findOneOrFail(InboundMessage, { id: inbound.id });
    if (current.state !== 'stored') return fileInbound({ ...deps, em: fresh }, input);
    const other = await caseMessageWith(fresh, messageIdHash);
    if (!other) throw err;
    return markDuplicate({ ...deps, em: fresh }, current, other);
  }
}

/** Another run settled the row first (a job run twice after a lost lock): answer with what it wrote. */
async function settledElsewhere(deps: FileDeps, inboundId: number): Promise<FileResult> {
  deps.log.info({ inboundId }, 'message already settled by another run');
  return fileInbound({ ...deps, em: deps.em.fork() }, { inboundId });
}

/** Only from `stored`: a late second run must not turn a filed message into its own duplicate. */
async function markDuplicate(deps: FileDeps, inbound: InboundMessage, of: Pick<CaseMessage, 'id' | 'caseId'>): Promise<FileResult> {
  const reasons = [`Message-ID already in case CD-${of.caseId} (case message ${of.id})`];
  const settled = await settleStored(deps.em, inbound.id, { state: 'duplicate', kind: 'duplicate', reasons, caseId: of.caseId });
  if (!settled) return settledElsewhere(deps, inbound.id);
  deps.log.info({ inboundId: inbound.id, caseMessageId: of.id }, 'duplicate message');
  return { outcome: 'duplicate', of: of.id };
}

function threadInput(msg: ParsedMessage): ThreadInput {
  return {
    inReplyTo: normalizeMessageId(msg.inReplyTo),
    references: splitMessageIds(msg.references),
    subject: msg.subject,
    fromAddress: msg.from?.address ?? '',
  };
}

/** The case message filed under a Message-ID (by its hash), if any: read without the ORM (these reads run for every message). */
async function caseMessageWith(em: EntityManager, messageIdHash: string): Promise<Pick<CaseMessage, 'id' | 'caseId'> | null> {
  const [row] = await query(em, 'select id, case_id from case_message where message_id_hash = ? limit 1', [messageIdHash]);
  return row ? { id: Number(row.id), caseId: Number(row.case_id) } : null;
}

/** The threading policy's lookups, against the case messages and cases of this database. */
function threadLookups(em: EntityManager): ThreadLookups {
  return {
    caseByMessageId: async (id: string) => (await caseMessageWith(em, hashMessageId(id)))?.caseId ?? null,
    caseRequester: async (caseId: number) => {
      const [row] = await query(em, 'select requester_email from cases where id = ?', [caseId]);
      return row ? String(row.requester_email) : null;
    },
  };
}
