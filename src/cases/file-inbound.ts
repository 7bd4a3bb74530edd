import type { EntityManager } from '@mikro-orm/core';
import { countAttachments } from '../attachments/record.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { readInbound, type BounceReport, type ReadDeps, type ReadResult } from '../mail/parse-stage.ts';
import type { ParsedMessage } from '../mail/parsed-message.ts';
import { isUniqueViolation } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import { hashMessageId, normalizeMessageId, splitMessageIds, syntheticMessageId } from '../shared/message-id.ts';
import { readHeaderFields, readSpamVerdict, type SenderAuthMode, type SenderAuthResult } from '../mail/auth/index.ts';
import { markBounces } from './bounces.ts';
import { Case, CaseMessage } from './case.entity.ts';
import { ClassificationCorrection } from './correction.entity.ts';
import { openOrThread, type OpenCaseDeps } from './open-case.ts';
import { Outbox } from './outbox.entity.ts';
import { resolveThread, type ThreadInput, type ThreadLookups } from './threading.ts';

export interface FileDeps extends ReadDeps, OpenCaseDeps {
  readBounce: (message: ParsedMessage) => BounceReport | null;
  /** Domain of our own Message-IDs (stand-in ids for messages without one). */
  ownDomain: string;
  now?: () => Date;
  /** SENDER_AUTH and the check (authenticateSender bound to AUTHSERV_IDS and a resolver); without it: `off`. */
  senderAuth?: { mode: SenderAuthMode; check: (raw: Buffer) => Promise<SenderAuthResult> };
}

type Sender = NonNullable<Parameters<typeof openOrThread>[2]['sender']>;

/**
 * The sender check of one message, decided once: the first run stores the verdict and its
 * reasons on the inbound row, and any later run (a retry, a re-run after a crash) reuses them.
 * The spam verdict is read from the header each time (it is a pure function of the bytes).
 */
async function senderOf(deps: FileDeps, inbound: InboundMessage): Promise<Sender> {
  const mode = deps.senderAuth?.mode ?? 'off';
  const spam = readSpamVerdict(readHeaderFields(inbound.raw).fields);
  if (!deps.senderAuth || mode === 'off') return { mode: 'off', verdict: 'unknown', reasons: [], spam };
  if (!inbound.senderVerdict) {
    const result = await deps.senderAuth.check(inbound.raw);
    inbound.senderVerdict = result.verdict;
    inbound.senderReasons = result.reasons.map((r) => r.slice(0, 200)).slice(0, 20);
    await deps.em.flush();
    deps.log.info({ inboundId: inbound.id, verdict: result.verdict, method: result.method }, 'sender checked');
  }
  return { mode, verdict: inbound.senderVerdict, reasons: inbound.senderReasons ?? [], spam };
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
  const bounced = classification.kind === 'bounce' ? await markBounces(em, deps.readBounce(message)) : [];
  inbound.state = 'ignored';
  inbound.kind = classification.kind;
  inbound.reasons = classification.reasons;
  const thread = await resolveThread(threadInput(message), threadLookups(em));
  if (thread.kind === 'existing') inbound.caseId = thread.caseId;
  await em.flush();
  log.info({ inboundId: inbound.id, kind: classification.kind, bounced: bounced.length }, 'automatic message ignored');
  return { outcome: 'ignored', kind: classification.kind, reasons: classification.reasons, bouncedOutboxIds: bounced };
}

/** A human message: a duplicate of a Message-ID already filed, or filed into its case (new or existing). */
async function fileHumanMessage(deps: FileDeps, read: Read, input: { inboundId: number }): Promise<FileResult> {
  const { em, log } = deps;
  const { inbound, message } = read;
  const now = deps.now?.() ?? new Date();
  const messageId = normalizeMessageId(message.messageId) ?? syntheticMessageId(inbound.id, deps.ownDomain);
  const messageIdHash = hashMessageId(messageId);
  const already = await em.findOne(CaseMessage, { messageIdHash }, { fields: ['id', 'caseId'] });
  if (already) return markDuplicate(em, inbound, already, log);

  const thread = await resolveThread(threadInput(message), threadLookups(em));
  const sender = await senderOf(deps, inbound);
  try {
    const filed = await em.transactional((tx) =>
      openOrThread(tx, deps, { inboundId: inbound.id, message, classification: read.classification, thread, messageId, messageIdHash, now, sender }),
    );
    log.info({ inboundId: inbound.id, caseId: filed.caseId, newCase: thread.kind === 'new', notices: filed.outboxIds.length, attachments: message.attachments?.length ?? 0 }, 'message threaded');
    return { outcome: 'case-message', newCase: thread.kind === 'new', ...filed };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A concurrent run (or an identical copy) got there first: settle on what is stored.
    const fresh = em.fork();
    const current = await fresh.findOneOrFail(InboundMessage, { id: inbound.id });
    if (current.state !== 'stored') return fileInbound({ ...deps, em: fresh }, input);
    const other = await fresh.findOneOrFail(CaseMessage, { messageIdHash }, { fields: ['id', 'caseId'] });
    return markDuplicate(fresh, current, other, log);
  }
}

async function markDuplicate(em: EntityManager, inbound: InboundMessage, of: Pick<CaseMessage, 'id' | 'caseId'>, log: Logger): Promise<FileResult> {
  inbound.state = 'duplicate';
  inbound.kind = 'duplicate';
  inbound.reasons = [`Message-ID already in case CD-${of.caseId} (case message ${of.id})`];
  inbound.caseId = of.caseId;
  await em.flush();
  log.info({ inboundId: inbound.id, caseMessageId: of.id }, 'duplicate message');
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

/** The threading policy's lookups, against the case messages and cases of this database. */
function threadLookups(em: EntityManager): ThreadLookups {
  return {
    caseByMessageId: async (id: string) => (await em.findOne(CaseMessage, { messageIdHash: hashMessageId(id) }, { fields: ['caseId'] }))?.caseId ?? null,
    caseRequester: async (caseId: number) => (await em.findOne(Case, { id: caseId }, { fields: ['requesterEmail'] }))?.requesterEmail ?? null,
  };
}
