import type { EntityManager } from '@mikro-orm/core';
import { recordAttachments } from '../attachments/record.ts';
import type { MessageClassification } from '../mail/parse-stage.ts';
import type { ParsedMessage } from '../mail/parsed-message.ts';
import { normalizeMessageId } from '../shared/message-id.ts';
import { findPhi } from '../privacy/index.ts';
import { clip } from '../shared/clip.ts';
import { insertEntity, run } from '../shared/db.ts';
import { Case, CaseMessage, type SenderVerdict } from './case.entity.ts';
import { answerEveryone, type IntakeDecision, type IntakePolicy, type IntakeSender } from './intake.ts';
import { Outbox } from './outbox.entity.ts';
import type { ThreadDecision } from './threading.ts';


export interface OpenCaseDeps {
  /** The new text of a message: quoted history and signature removed (src/mail/new-text.ts). */
  newText: (input: { text: string; html?: string | null; subject?: string | null }) => string;
  dueHours: number;
  /** Who gets a draft and which notices (src/cases/intake.ts); without one, every message is drafted. */
  intake?: IntakePolicy;
  /** Makes the Message-ID of an automatic notice (deterministic from its dedupe key). */
  makeMessageId: (dedupeKey: string, caseId: number) => string;
}

export interface OpenCaseInput {
  inboundId: number;
  message: ParsedMessage;
  classification: MessageClassification;
  thread: ThreadDecision;
  /** Normalised Message-ID (or our stand-in) and its hash. */
  messageId: string;
  messageIdHash: string;
  now: Date;
  /** The sender check (file-inbound.ts decides it once per message); without one: not checked. */
  sender?: IntakeSender & { reasons: string[] };
}

/** Display names and addresses go into varchar(320) columns: longer ones are cut, never refused. */
export const NAME_COLUMN = 320;

/** `value` cut to `max` characters (never in the middle of a surrogate pair); null stays null. */
export function fitColumn(value: string, max: number): string;
export function fitColumn(value: string | null | undefined, max: number): string | null;
export function fitColumn(value: string | null | undefined, max: number): string | null {
  if (value == null) return null;
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Whether this sender gets the "unverified sender" badge (any mode but `off`, any verdict but `verified`). */
function unverified(sender: OpenCaseInput['sender']): boolean {
  return sender !== undefined && sender.mode !== 'off' && sender.verdict !== 'verified';
}

export interface Filed {
  caseId: number;
  caseMessageId: number;
  wantsDraft: boolean;
  outboxIds: number[];
  /** Attachments stored and waiting for the malware scan (the scan stage queues the draft after it). */
  attachmentsToScan: number;
}

/** What a message's case message holds that costs CPU (new text, PHI spans): worked out before the transaction. */
export type PreparedCaseMessage = ReturnType<typeof caseMessageOf>;

/** The case message's fields, worked out once outside the filing transaction (it holds the writer lock on SQLite). */
export function prepareCaseMessage(deps: Pick<OpenCaseDeps, 'newText'>, input: OpenCaseInput): PreparedCaseMessage {
  return caseMessageOf(deps, input, fitColumn((input.message.from?.address ?? '').toLowerCase(), NAME_COLUMN));
}

/**
 * File one human message in one transaction: the inbound row claimed (`parsed`), its case (the
 * thread's, reopened when answered, or a new one), the intake decision (draft or not, the
 * subscriber, the notices), then the case message with that decision, the case's intake fields
 * and the notices' outbox rows in one flush, the inbound row's link to them, and the
 * attachments (listed, stored for the scan). The intake takes the subscriber's and the sender's
 * locks (on PostgreSQL) in one statement after the case row is written, so they are held for
 * the decision, the writes after it and the commit. A unique key that another run wrote first
 * aborts the whole transaction (the caller settles on what is stored).
 */
export async function openOrThread(tx: EntityManager, deps: OpenCaseDeps, input: OpenCaseInput, prepared = prepareCaseMessage(deps, input)): Promise<Filed> {
  const { message: msg, thread } = input;
  const fromAddress = fitColumn((msg.from?.address ?? '').toLowerCase(), NAME_COLUMN);
  // Claim the row first (only from `stored`): a second run of the job, after a lost lock, finds
  // it claimed and settles on what the first wrote. On SQLite this write also takes the lock.
  // The sender check's verdict is stored with the claim (file-inbound.ts decides it once).
  if ((await claimInbound(tx, input)) !== 1) throw new InboundAlreadySettled(input.inboundId);
  const caseRow = await caseFor(tx, input, fromAddress, deps.dueHours);
  const decision = await (deps.intake ?? answerEveryone)(tx, {
    fromAddress, fromName: displayName(msg), subject: msg.subject, isNewCase: thread.kind === 'new',
    caseId: caseRow.id, inboundId: input.inboundId, messageId: input.messageId, references: msg.references, now: input.now, sender: input.sender,
  });
  if (thread.kind === 'new') await recordDecision(tx, caseRow.id, decision, input.now);
  // Written after the decision, so each row is written once: the case message with its
  // wantsDraft, then the notices. Raw inserts (src/shared/db.ts): the unit of work cost more
  // CPU than the statements.
  const caseMessage = await insertEntity(tx, Object.assign(new CaseMessage(), { ...prepared, caseId: caseRow.id, wantsDraft: decision.wantsDraft }));
  const outboxes = await insertNotices(tx, deps, input, caseRow.id, decision);
  await run(tx, 'update inbound_message set case_id = ?, case_message_id = ? where id = ?', [caseRow.id, caseMessage.id, input.inboundId]);
  const attachmentsToScan = msg.attachments?.length
    ? await recordAttachments(tx, { caseId: caseRow.id, caseMessageId: caseMessage.id, attachments: msg.attachments })
    : 0;
  return { caseId: caseRow.id, caseMessageId: caseMessage.id, wantsDraft: decision.wantsDraft, outboxIds: outboxes.map((o) => o.id), attachmentsToScan };
}

/**
 * The claim of the inbound row (`stored` → `parsed`, a human message, its reasons, and the sender
 * check's verdict when there was one): 1 when this run claimed it, 0 when another run had.
 */
function claimInbound(tx: EntityManager, input: OpenCaseInput): Promise<number> {
  const reasons = JSON.stringify(input.classification.reasons);
  const where = [input.inboundId, 'stored'];
  if (!input.sender || input.sender.mode === 'off') {
    return run(tx, "update inbound_message set state = 'parsed', kind = 'human', reasons = ?, updated_at = ? where id = ? and state = ?", [reasons, new Date(), ...where]);
  }
  return run(
    tx,
    "update inbound_message set state = 'parsed', kind = 'human', reasons = ?, sender_verdict = ?, sender_reasons = ?, updated_at = ? where id = ? and state = ?",
    [reasons, input.sender.verdict, JSON.stringify(input.sender.reasons), new Date(), ...where],
  );
}

/** The inbound row was no longer `stored` when this run came to file it (another run did). */
export class InboundAlreadySettled extends Error {
  constructor(inboundId: number) {
    super(`inbound message ${inboundId} is no longer stored`);
    this.name = 'InboundAlreadySettled';
  }
}

/** The sender's display name, cut to its column (a name of any length must not stop the filing). */
function displayName(msg: ParsedMessage): string | null {
  return clip(msg.from?.name || null, NAME_COLUMN);
}

/**
 * The thread's case (a follow-up reopens an answered case and marks an unverified sender), or a
 * new case due in `dueHours`; each one statement.
 */
async function caseFor(tx: EntityManager, input: OpenCaseInput, fromAddress: string, dueHours: number): Promise<{ id: number }> {
  const { thread, message: msg, now } = input;
  if (thread.kind === 'existing') {
    const badge = unverified(input.sender) ? ', unverified_sender = ?' : '';
    const changed = await run(
      tx,
      `update cases set last_inbound_at = ?, state = case when state = 'answered' then 'open' else state end${badge}, updated_at = ? where id = ?`,
      [now, ...(badge ? [true] : []), now, thread.caseId],
    );
    if (changed !== 1) throw new Error(`case ${thread.caseId} of the thread does not exist`);
    return { id: thread.caseId };
  }
  return insertEntity(tx, Object.assign(new Case(), {
    subject: msg.subject || '(no subject)',
    requesterEmail: fromAddress || 'unknown@invalid',
    requesterName: displayName(msg),
    openedAt: now,
    lastInboundAt: now,
    updatedAt: now,
    dueAt: new Date(now.getTime() + dueHours * 3_600_000),
    unverifiedSender: unverified(input.sender),
  }));
}

/**
 * A new case (inserted `open`, with no subscriber and no hold reason) takes the intake's
 * decision: one statement, none when the decision changes none of the three.
 */
async function recordDecision(tx: EntityManager, caseId: number, decision: IntakeDecision, now: Date): Promise<void> {
  const subscriberId = decision.subscriberId ?? null;
  const state = decision.caseState ?? 'open';
  const holdReason = decision.holdReason ?? null;
  if (subscriberId === null && state === 'open' && holdReason === null) return;
  await run(tx, 'update cases set subscriber_id = ?, state = ?, hold_reason = ?, updated_at = ? where id = ?', [subscriberId, state, holdReason, now, caseId]);
}

function caseMessageOf(deps: Pick<OpenCaseDeps, 'newText'>, input: OpenCaseInput, fromAddress: string) {
  const msg = input.message;
  const textNew = deps.newText({ text: msg.text, html: msg.html, subject: msg.subject });
  const verdict: SenderVerdict | null = input.sender && input.sender.mode !== 'off' ? input.sender.verdict : null;
  return {
    direction: 'in' as const,
    inboundMessageId: input.inboundId,
    messageId: input.messageId,
    messageIdHash: input.messageIdHash,
    inReplyTo: normalizeMessageId(msg.inReplyTo),
    references: msg.references,
    fromAddress: fromAddress || 'unknown@invalid',
    fromName: displayName(msg),
    toAddresses: msg.to.map((a) => a.address),
    subject: msg.subject,
    textNew,
    phiSpans: findPhi(textNew, { senderAddress: fromAddress }).map(({ kind, start, end }) => ({ kind, start, end })),
    senderVerdict: verdict,
    senderReasons: verdict ? (input.sender?.reasons ?? []) : null,
    textFull: msg.text,
    html: msg.html,
    sentAt: msg.date ? new Date(msg.date) : input.now,
  };
}

/** Outbox rows for the intake's notices, threaded under the question (`Auto-Submitted`). */
async function insertNotices(tx: EntityManager, deps: OpenCaseDeps, input: OpenCaseInput, caseId: number, decision: IntakeDecision): Promise<Outbox[]> {
  const rows: Outbox[] = [];
  for (const n of decision.notices ?? []) {
    rows.push(await insertEntity(tx, Object.assign(new Outbox(), {
      ...n,
      caseId,
      messageId: deps.makeMessageId(n.dedupeKey, caseId),
      inReplyTo: input.messageId,
      references: [...input.message.references, input.messageId],
      autoSubmitted: true,
    })));
  }
  return rows;
}
