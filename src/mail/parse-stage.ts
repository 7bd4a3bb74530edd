import type { EntityManager } from '@mikro-orm/core';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { readEntity } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import type { ParsedMessage } from './parsed-message.ts';

/** Length of the address columns: a From address longer than this cannot be answered. */
const ADDRESS_COLUMN = 320;

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

export interface ReadDeps {
  em: EntityManager;
  log: Logger;
  parse: SafeParse;
  classify: (message: ParsedMessage) => MessageClassification;
}

export type ReadResult =
  /** Not (or no longer) `stored`: nothing was read. `inbound` is the row, when there is one. */
  | { outcome: 'skipped'; state: string; inbound: InboundMessage | null }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'read'; inbound: InboundMessage; message: ParsedMessage; classification: MessageClassification };

/**
 * The mail half of the parse queue's stage for one stored inbound message: parse it within
 * limits and classify it. Quarantines (state written, raw kept, reason recorded) what cannot be
 * parsed and a human-looking message with no usable sender; everything else is handed back,
 * unwritten, for src/cases/file-inbound.ts to ignore, mark duplicate, or file into a case.
 */
export async function readInbound(deps: ReadDeps, input: { inboundId: number }): Promise<ReadResult> {
  const inbound = await readEntity(deps.em, InboundMessage, 'id = ?', [input.inboundId], ['raw']);
  if (!inbound) return { outcome: 'skipped', state: 'missing', inbound: null };
  if (inbound.state !== 'stored') return { outcome: 'skipped', state: inbound.state, inbound };

  // Retention never purges a `stored` row; a raw source that is gone anyway cannot be parsed.
  if (!inbound.raw) return quarantine(deps, inbound, { code: 'raw-purged', reason: 'the raw source was purged before it was parsed' }, 'message quarantined');
  const parsed = await deps.parse(inbound.raw);
  if (!parsed.ok) return quarantine(deps, inbound, { code: parsed.code, reason: parsed.reason }, 'message quarantined');
  const message = parsed.message;
  const classification = deps.classify(message);
  if (classification.answerable && (message.from?.address?.length ?? 0) > ADDRESS_COLUMN) {
    // Longer than any deliverable address (RFC 5321: 254) and than the column: not cut, since a
    // cut address would send the answer to someone else.
    return quarantine(deps, inbound, { code: 'no-sender', reason: `the From address is ${message.from!.address.length} characters long: not an address we can answer` }, 'message without sender quarantined');
  }
  if (classification.answerable && !message.from?.address?.includes('@')) {
    // A message with no usable sender (empty, headerless, mangled From) cannot be answered;
    // it is kept raw and visible rather than turned into a case nobody can reply to.
    // The reason is stored and shown: it names what is wrong, never the address as written.
    const reason = message.from?.address ? 'the From address is not an email address' : 'the message has no From address: nobody to answer';
    return quarantine(deps, inbound, { code: 'no-sender', reason }, 'message without sender quarantined');
  }
  return { outcome: 'read', inbound, message, classification };
}

/**
 * Move a row out of `stored`, only if it is still `stored`: false when another run of the job
 * (one whose lock was lost) settled it first, and nothing is written. Every settling of an
 * inbound row goes through here, so no run overwrites another's outcome.
 */
export async function settleStored(em: EntityManager, inboundId: number, changes: Partial<Pick<InboundMessage, 'state' | 'kind' | 'reasons' | 'caseId' | 'error'>>): Promise<boolean> {
  return (await em.nativeUpdate(InboundMessage, { id: inboundId, state: 'stored' }, { ...changes, updatedAt: new Date() })) === 1;
}

async function quarantine(deps: ReadDeps, inbound: InboundMessage, why: { code: string; reason: string }, logText: string): Promise<ReadResult> {
  const settled = await settleStored(deps.em, inbound.id, { state: 'quarantined', kind: 'quarantine', reasons: [why.code], error: why.reason });
  if (!settled) return { outcome: 'skipped', state: 'settled elsewhere', inbound: null };
  if (why.code === 'no-sender') deps.log.warn({ inboundId: inbound.id }, logText);
  else deps.log.warn({ inboundId: inbound.id, code: why.code }, logText);
  return { outcome: 'quarantined', reason: why.reason };
}
