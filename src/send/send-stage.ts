import type { EntityManager } from '@mikro-orm/core';
import { Draft } from '../drafts/draft.entity.ts';
import { recordSent } from '../drafts/record-sent.ts';
import { PermanentError, TransientError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { logSafeError } from '../shared/log-safe-error.ts';
import { verifyOwnMessageId } from '../shared/message-id.ts';
import { classifySmtpError } from './classify-smtp-error.ts';
import { Outbox } from '../cases/outbox.entity.ts';

export interface OutgoingMail {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** The service mailbox's copy (SENT_COPY=bcc): same transaction, same Message-ID. */
  bcc?: string;
  headers: Record<string, string>;
}

/** The SMTP side as the stage needs it: send one mail, return the server's reply line. */
export type MailSender = (mail: OutgoingMail) => Promise<{ response: string }>;

export interface SendDeps {
  em: EntityManager;
  log: Logger;
  send: MailSender;
  from: { name: string; address: string };
  /** A row left `sending` longer than this is taken to be a crash mid-send (not a peer at work). */
  stuckAfterMs?: number;
  /** SENT_COPY=bcc: every mail is BCC'd here, so ingest can confirm an `unknown` send. */
  sentCopyTo?: string | null;
  /** Pauses of the in-process retries of the post-send transaction (ms); default about 30 s in all. */
  recordRetryMs?: number[];
}

/** After the SMTP server took the mail, the database write is retried this long before giving up to the sweep. */
const RECORD_RETRY_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];

export type SendResult =
  | { outcome: 'sent'; response: string }
  | { outcome: 'skipped'; state: string }
  | { outcome: 'unknown' };

/**
 * Send one outbox row. Never twice: the row is claimed (`queued` → `sending`) by a conditional
 * update before the SMTP transaction, and marked `sent` after. A job that finds the row still
 * `sending` long after it was claimed knows the process died mid-send and cannot tell whether
 * the server took the mail, so it marks the row `unknown` for a human instead of risking a
 * second copy in the coder's inbox.
 *
 * Transient failures put the row back to `queued` and throw TransientError (the queue retries);
 * permanent ones mark it `failed` with the server's answer and throw PermanentError. On the last
 * attempt (`finalAttempt`) a transient failure is recorded as `failed` too.
 */
export async function sendOutbox(deps: SendDeps, input: { outboxId: number; finalAttempt?: boolean }): Promise<SendResult> {
  const { em, log } = deps;
  const row = await em.findOne(Outbox, { id: input.outboxId });
  if (!row) return { outcome: 'skipped', state: 'missing' };
  if (row.state === 'sending') return settleStuck(deps, row);
  if (row.state !== 'queued') return { outcome: 'skipped', state: row.state };

  const claimed = await em.nativeUpdate(Outbox, { id: row.id, state: 'queued' }, { state: 'sending', attempts: row.attempts + 1, updatedAt: new Date() });
  if (claimed !== 1) return { outcome: 'skipped', state: 'claimed elsewhere' };
  let response: string;
  try {
    ({ response } = await deps.send(outgoingMail(row, deps.from, deps.sentCopyTo)));
  } catch (err) {
    return recordFailure(deps, row, err, input.finalAttempt === true);
  }
  await recordSentRetrying(deps, row, response);
  log.info({ outboxId: row.id, caseId: row.caseId, kind: row.kind }, 'mail sent');
  return { outcome: 'sent', response };
}

/** A row still `sending`: a peer at work (retry later), or a crash mid-send long ago (`unknown`, for a human). */
async function settleStuck(deps: SendDeps, row: Outbox): Promise<SendResult> {
  const age = Date.now() - new Date(row.updatedAt).getTime();
  if (age < (deps.stuckAfterMs ?? 120_000)) throw new TransientError(`outbox ${row.id} is being sent by another worker`);
  await deps.em.nativeUpdate(Outbox, { id: row.id, state: 'sending' }, { state: 'unknown', lastError: 'process stopped during the SMTP transaction; check the recipient before resending', updatedAt: new Date() });
  deps.log.warn({ outboxId: row.id }, 'send outcome unknown after a crash');
  return { outcome: 'unknown' };
}

/** The mail of one outbox row: threading headers, `Auto-Submitted` on notices, the case tag header. */
function outgoingMail(row: Outbox, from: SendDeps['from'], sentCopyTo?: string | null): OutgoingMail {
  const headers: Record<string, string> = {};
  if (row.autoSubmitted) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  if (row.caseId) headers['X-CaseDesk-Case'] = `CD-${row.caseId}`;
  return {
    from,
    to: row.toAddress,
    subject: row.subject,
    text: row.text,
    html: row.html ?? undefined,
    messageId: row.messageId,
    inReplyTo: row.inReplyTo ?? undefined,
    references: row.references,
    ...(sentCopyTo && sentCopyTo.toLowerCase() !== row.toAddress.toLowerCase() ? { bcc: sentCopyTo } : {}),
    headers,
  };
}

/**
 * The SMTP server has the mail: a database error now (PostgreSQL restarted, the connection was
 * killed) is not a failed send. Retry the post-send transaction in this process with backoff, on
 * a fresh EntityManager each time; a job retry would find the row `sending` and end `unknown`.
 */
async function recordSentRetrying(deps: SendDeps, row: Outbox, response: string): Promise<void> {
  const pauses = deps.recordRetryMs ?? RECORD_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await recordSent(attempt === 0 ? deps.em : deps.em.fork(), row, deps.from, response);
      return;
    } catch (err) {
      if (attempt >= pauses.length) throw err;
      deps.log.warn({ outboxId: row.id, attempt: attempt + 1, err: logSafeError(err) }, 'recording a sent mail failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, pauses[attempt]));
    }
  }
}

/** What a copy coming back proved: which outbox row it is, and whether it confirmed the send. */
export type OwnCopyResult =
  | { outboxId: number; caseId: number | null; confirmed: boolean; note?: string }
  /** Our id's shape with a tag that does not verify: someone made it up; nothing is confirmed. */
  | { forged: true };

/**
 * Our own copy of outbox mail came back to the mailbox (SENT_COPY=bcc): the SMTP server took it.
 * A row still `unknown` or `sending` becomes `sent`, with everything a normal send records.
 * With `tagKeys`, only a Message-ID whose tag verifies confirms (src/shared/message-id.ts): a
 * tag that does not verify is a forgery, and an untagged id (issued before tags) identifies its
 * row but confirms nothing, since its hash part can be guessed from the row's key.
 * Returns null when the id is not ours.
 */
export async function confirmSentByCopy(em: EntityManager, from: SendDeps['from'], messageId: string, tagKeys?: readonly Buffer[]): Promise<OwnCopyResult | null> {
  const proof = tagKeys ? verifyOwnMessageId(messageId, tagKeys) : 'tagged';
  if (proof === 'forged') return { forged: true };
  const row = await em.findOne(Outbox, { messageId: { $in: [...new Set([messageId, messageId.toLowerCase()])] } });
  if (!row) return null;
  const owned = { outboxId: row.id, caseId: row.caseId ?? null };
  if (row.state !== 'unknown' && row.state !== 'sending') return { ...owned, confirmed: false };
  if (proof !== 'tagged') return { ...owned, confirmed: false, note: 'an untagged Message-ID confirms no send' };
  // One transaction: the row leaves `unknown`/`sending` only together with its draft and reply.
  // A send worker still committing its own mark-sent meets the row lock and finds the reply.
  const confirmed = await recordSent(em.fork(), row, from, `confirmed by the copy that came back to the service mailbox (was ${row.state})`, ['unknown', 'sending']);
  return { ...owned, confirmed };
}

/** Back to `queued` and retry (TransientError), or `failed` for good with its draft (PermanentError). */
async function recordFailure(deps: SendDeps, row: Outbox, err: unknown, finalAttempt: boolean): Promise<SendResult> {
  const verdict = classifySmtpError(err);
  const giveUp = !verdict.retry || finalAttempt;
  // Only a row still `sending`: when the server took the mail after all (the connection broke
  // before its answer reached us) and the copy came back meanwhile, the row is `sent` — queueing
  // it again would deliver it twice.
  const changed = await deps.em.nativeUpdate(Outbox, { id: row.id, state: { $in: ['sending', 'unknown'] } }, { state: giveUp ? 'failed' : 'queued', lastError: verdict.reason, updatedAt: new Date() });
  if (changed !== 1) {
    deps.log.warn({ outboxId: row.id }, 'send failed but the row was settled meanwhile (its copy came back); not retried');
    return { outcome: 'skipped', state: 'settled meanwhile' };
  }
  if (giveUp && row.draftId) await deps.em.nativeUpdate(Draft, { id: row.draftId }, { state: 'failed' });
  deps.log.warn({ outboxId: row.id, retry: !giveUp }, 'send failed');
  if (giveUp) throw new PermanentError(verdict.reason, { cause: err });
  throw new TransientError(verdict.reason, { cause: err });
}
