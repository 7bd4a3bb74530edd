import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { runSql } from '../crypto/columns.ts';
import { isUniqueViolation } from '../shared/db.ts';
import { InboundMessage, MailboxCursor } from './ingest.entity.ts';

export interface FetchedMessage {
  uid: number;
  source: Buffer;
}

export type StoreOutcome =
  | { kind: 'stored'; inboundId: number }
  /** Already stored under this UID (an earlier run stopped before the cursor moved). */
  | { kind: 'existing'; inboundId: number; needsParse: boolean }
  /** The same bytes were ingested before a UIDVALIDITY change: a resync, not a new message. */
  | { kind: 'resync-duplicate'; inboundId: number; needsParse: boolean };

/** The Message-ID header of a raw message, read cheaply from the header block (for the row only). */
export function peekMessageId(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const headerEnd = end >= 0 ? end : raw.indexOf('\n\n');
  const head = raw.subarray(0, Math.min(headerEnd >= 0 ? headerEnd : raw.length, 256 * 1024)).toString('latin1');
  const match = /^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head);
  if (!match) return null;
  const id = /<[^<>\s]+>/.exec(match[1]);
  return id ? id[0] : null;
}

/**
 * Store one fetched message before anything else happens to it. Idempotent: a second call for
 * the same (mailbox, UIDVALIDITY, UID) returns the existing row; the same bytes seen again
 * after a UIDVALIDITY change are recognised by their hash and not stored twice.
 */
export async function storeFetchedMessage(
  em: EntityManager,
  cursor: { mailbox: string; uidValidity: number },
  fetched: FetchedMessage,
): Promise<StoreOutcome> {
  const existing = await em.findOne(InboundMessage, { mailbox: cursor.mailbox, uidValidity: cursor.uidValidity, uid: fetched.uid }, { fields: ['id', 'state'] });
  if (existing) return { kind: 'existing', inboundId: existing.id, needsParse: existing.state === 'stored' };

  const contentHash = createHash('sha256').update(fetched.source).digest('hex');
  const earlier = await em.findOne(
    InboundMessage,
    { mailbox: cursor.mailbox, contentHash, uidValidity: { $ne: cursor.uidValidity } },
    { fields: ['id', 'state'] },
  );
  if (earlier) return { kind: 'resync-duplicate', inboundId: earlier.id, needsParse: earlier.state === 'stored' };

  // One insert statement (em.insert: no transaction around it, nothing left in the unit of work).
  const row = em.create(InboundMessage, {
    mailbox: cursor.mailbox,
    uidValidity: cursor.uidValidity,
    uid: fetched.uid,
    contentHash,
    messageId: peekMessageId(fetched.source),
    size: fetched.source.length,
    raw: fetched.source,
  }, { persist: false });
  try {
    await em.insert(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    em.clear();
    const raced = await em.findOneOrFail(InboundMessage, { mailbox: cursor.mailbox, uidValidity: cursor.uidValidity, uid: fetched.uid }, { fields: ['id', 'state'] });
    return { kind: 'existing', inboundId: raced.id, needsParse: raced.state === 'stored' };
  }
  return { kind: 'stored', inboundId: row.id };
}

/** Load or create the cursor; a changed UIDVALIDITY restarts it at UID 0 (resync). */
export async function loadCursor(
  em: EntityManager,
  mailbox: string,
  uidValidity: number,
): Promise<{ cursor: MailboxCursor; resync: boolean }> {
  let cursor = await em.findOne(MailboxCursor, { mailbox });
  if (!cursor) {
    cursor = em.create(MailboxCursor, { mailbox, uidValidity, lastUid: 0 });
    try {
      await em.flush();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      em.clear();
      cursor = await em.findOneOrFail(MailboxCursor, { mailbox });
    }
    return { cursor, resync: false };
  }
  if (cursor.uidValidity !== uidValidity) {
    cursor.uidValidity = uidValidity;
    cursor.lastUid = 0;
    await em.flush();
    return { cursor, resync: true };
  }
  return { cursor, resync: false };
}

/** Move the cursor forward (never back). */
export async function advanceCursor(em: EntityManager, mailbox: string, uidValidity: number, uid: number): Promise<void> {
  await em.nativeUpdate(MailboxCursor, { mailbox, uidValidity, lastUid: { $lt: uid } }, { lastUid: uid, updatedAt: new Date() });
}

/**
 * Ids of the rows of `mailbox` stored before `inboundId` (a lower id: ingest stores in UID order)
 * and not yet settled, highest first: the messages that arrived earlier and are still being parsed
 * or waiting for it. Read without hydration (a plain select of ids on the `state` index).
 */
export async function earlierStoredIds(em: EntityManager, mailbox: string, inboundId: number, limit = 32): Promise<number[]> {
  const rows = await runSql<{ id: number | string }>(em, 'select id from inbound_message where mailbox = ? and state = ? and id < ? order by id desc limit ?', [mailbox, 'stored', inboundId, limit]);
  return rows.map((r) => Number(r.id));
}
