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

/** Rows of one multi-row insert: at most this many bytes of raw source (values are inlined in the SQL text). */
const INSERT_BATCH_BYTES = 1_000_000;

/**
 * Store a fetched batch (in UID order) before anything else happens to it, with a few statements
 * for the whole batch: one read of the UIDs already stored, one of the bytes seen before a
 * UIDVALIDITY change, and multi-row inserts of the rest (up to INSERT_BATCH_BYTES of source
 * each). Outcomes come back in the batch's order. Idempotent: a message already stored under its
 * (mailbox, UIDVALIDITY, UID) is `existing`; the same bytes seen again after a UIDVALIDITY change
 * are the earlier row (`resync-duplicate`), not stored twice. When an insert meets a row another
 * ingest process stored meanwhile, the messages of that insert are settled one by one.
 */
export async function storeFetchedBatch(
  em: EntityManager,
  cursor: { mailbox: string; uidValidity: number },
  batch: FetchedMessage[],
): Promise<Array<{ uid: number; outcome: StoreOutcome }>> {
  if (batch.length === 0) return [];
  const { mailbox, uidValidity } = cursor;
  const stored = await em.find(InboundMessage, { mailbox, uidValidity, uid: { $in: batch.map((f) => f.uid) } }, { fields: ['id', 'state', 'uid'] });
  const byUid = new Map(stored.map((r) => [r.uid, r]));
  const fresh = batch.filter((f) => !byUid.has(f.uid)).map((f) => ({ ...f, contentHash: createHash('sha256').update(f.source).digest('hex') }));
  const earlier = fresh.length === 0 ? [] : await em.find(InboundMessage, { mailbox, contentHash: { $in: fresh.map((f) => f.contentHash) }, uidValidity: { $ne: uidValidity } }, { fields: ['id', 'state', 'contentHash'], orderBy: { id: 'asc' } });
  const byHash = new Map<string, { id: number; state: string }>();
  for (const row of earlier) if (!byHash.has(row.contentHash)) byHash.set(row.contentHash, row);

  const outcomes = new Map<number, StoreOutcome>();
  for (const [uid, row] of byUid) outcomes.set(uid, { kind: 'existing', inboundId: row.id, needsParse: row.state === 'stored' });
  const toInsert: typeof fresh = [];
  for (const f of fresh) {
    const seen = byHash.get(f.contentHash);
    if (seen) outcomes.set(f.uid, { kind: 'resync-duplicate', inboundId: seen.id, needsParse: seen.state === 'stored' });
    else toInsert.push(f);
  }
  for (const chunk of bySize(toInsert, INSERT_BATCH_BYTES)) {
    for (const [uid, outcome] of await insertChunk(em, cursor, chunk)) outcomes.set(uid, outcome);
  }
  return batch.map((f) => ({ uid: f.uid, outcome: outcomes.get(f.uid)! }));
}

/** Consecutive runs of `items` of at most `maxBytes` of source each (a larger message alone). */
function bySize<T extends FetchedMessage>(items: T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let bytes = 0;
  for (const item of items) {
    const last = chunks[chunks.length - 1];
    if (!last || bytes + item.source.length > maxBytes) {
      chunks.push([item]);
      bytes = item.source.length;
    } else {
      last.push(item);
      bytes += item.source.length;
    }
  }
  return chunks;
}

async function insertChunk(em: EntityManager, cursor: { mailbox: string; uidValidity: number }, chunk: Array<FetchedMessage & { contentHash: string }>): Promise<Array<[number, StoreOutcome]>> {
  const rows = chunk.map((f) => em.create(InboundMessage, {
    mailbox: cursor.mailbox, uidValidity: cursor.uidValidity, uid: f.uid, contentHash: f.contentHash,
    messageId: peekMessageId(f.source), size: f.source.length, raw: f.source,
  }, { persist: false }));
  try {
    // One statement, no transaction around it; nothing is left in the unit of work.
    await em.insertMany(rows);
    return chunk.map((f, i) => [f.uid, { kind: 'stored', inboundId: rows[i].id }]);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    if (chunk.length === 1) return [[chunk[0].uid, await storedMeanwhile(em.fork(), cursor, chunk[0].uid)]];
    const one: Array<[number, StoreOutcome]> = [];
    for (const f of chunk) one.push([f.uid, (await storeFetchedBatch(em.fork(), cursor, [f]))[0].outcome]);
    return one;
  }
}

/** The row another process stored under this UID while we were inserting it. */
async function storedMeanwhile(em: EntityManager, cursor: { mailbox: string; uidValidity: number }, uid: number): Promise<StoreOutcome> {
  const raced = await em.findOneOrFail(InboundMessage, { mailbox: cursor.mailbox, uidValidity: cursor.uidValidity, uid }, { fields: ['id', 'state'] });
  return { kind: 'existing', inboundId: raced.id, needsParse: raced.state === 'stored' };
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
export async function earlierStoredIds(em: EntityManager, mailbox: string, inboundId: number, limit: number): Promise<number[]> {
  const rows = await runSql<{ id: number | string }>(em, 'select id from inbound_message where mailbox = ? and state = ? and id < ? order by id desc limit ?', [mailbox, 'stored', inboundId, limit]);
  return rows.map((r) => Number(r.id));
}
