import { createHash } from 'node:crypto';

/**
 * The audit log as a hash chain: entry n carries the hash of entry n−1, and its own hash covers
 * its content and that previous hash. An edited entry no longer matches its hash, a removed
 * entry leaves a hole in the sequence numbers and a previous-hash that does not match, swapped
 * entries fail both, and a removed tail no longer matches the chain head (a separate one-row
 * table the appender updates in the same transaction).
 *
 * This file is the pure part: canonical form, hashing, verification over any ordered source.
 */

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
export const CHAIN_VERSION = 1;

/** What one audit entry says (the columns of audit_entry without id and chain fields). */
export interface AuditRecord {
  actor: string;
  action: string;
  caseId: number | null;
  draftId: number | null;
  details: Record<string, unknown>;
  at: Date;
}

/** An entry with its place in the chain. */
export interface ChainedAuditRecord extends AuditRecord {
  /** The row id, when read from the database (not hashed: it is not known before the insert). */
  id?: number;
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** JSON with object keys sorted at every level and undefined members dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Details as the database gives them back: a JSON round trip (Dates become strings, undefined
 * members go). Hash what will be read, so the hash of a fresh entry equals the hash recomputed
 * from its row on both drivers (PostgreSQL's jsonb reorders keys; the canonical form sorts them).
 */
export function normaliseDetails(details: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details ?? {})) as Record<string, unknown>;
}

/** Timestamps are kept to the millisecond on both drivers; hash what is kept. */
export function normaliseAt(at: Date): Date {
  return new Date(Math.floor(at.getTime()));
}

/** sha256 (hex) of the canonical form of an entry at position `seq` after `prevHash`. */
export function hashAuditEntry(seq: number, prevHash: string, record: AuditRecord): string {
  const canonical = canonicalJson({
    v: CHAIN_VERSION,
    seq,
    prev: prevHash,
    at: record.at.toISOString(),
    actor: record.actor,
    action: record.action,
    caseId: record.caseId ?? null,
    draftId: record.draftId ?? null,
    details: record.details ?? {},
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The entry that follows `head`: the next sequence number, chained to the head's hash. */
export function chainNext(head: ChainHead, record: AuditRecord): ChainedAuditRecord {
  const normal: AuditRecord = { ...record, caseId: record.caseId ?? null, draftId: record.draftId ?? null, details: normaliseDetails(record.details), at: normaliseAt(record.at) };
  const seq = head.seq + 1;
  return { ...normal, seq, prevHash: head.hash, hash: hashAuditEntry(seq, head.hash, normal) };
}

export type ChainProblemKind = 'gap' | 'order' | 'prev_hash' | 'hash' | 'head' | 'unchained';

/** The first thing wrong with a chain, by sequence number and row id. */
export interface ChainProblem {
  kind: ChainProblemKind;
  seq: number | null;
  id: number | null;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  lastSeq: number;
  lastHash: string;
  problem: ChainProblem | null;
}

/**
 * Check a chain read in sequence order (1, 2, 3, …) against its head. Stops at the first problem:
 * - `gap`: a sequence number is missing (an entry was deleted);
 * - `order`: a sequence number repeats or goes back;
 * - `prev_hash`: an entry does not point at the hash of the one before it;
 * - `hash`: an entry's content no longer matches its hash (edited);
 * - `head`: the chain ends before, or differently from, the recorded head (tail removed).
 */
export async function verifyChain(entries: AsyncIterable<ChainedAuditRecord> | Iterable<ChainedAuditRecord>, head: ChainHead | null): Promise<VerifyResult> {
  let prev: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  const fail = (kind: ChainProblemKind, e: ChainedAuditRecord | null, detail: string): VerifyResult => ({
    ok: false,
    entries: count,
    lastSeq: prev.seq,
    lastHash: prev.hash,
    problem: { kind, seq: e?.seq ?? null, id: e?.id ?? null, detail },
  });
  for await (const e of entries) {
    if (e.seq > prev.seq + 1) return fail('gap', e, `entries ${prev.seq + 1}…${e.seq - 1} are missing`);
    if (e.seq <= prev.seq) return fail('order', e, `sequence ${e.seq} follows ${prev.seq}`);
    if (e.prevHash !== prev.hash) return fail('prev_hash', e, `entry ${e.seq} does not point at entry ${prev.seq}`);
    if (hashAuditEntry(e.seq, e.prevHash, e) !== e.hash) return fail('hash', e, `entry ${e.seq} was changed after it was written`);
    prev = { seq: e.seq, hash: e.hash };
    count += 1;
  }
  const expected = head ?? { seq: 0, hash: GENESIS_HASH };
  if (expected.seq !== prev.seq || expected.hash !== prev.hash) {
    const detail = expected.seq === prev.seq ? `the chain head's hash differs from entry ${prev.seq}` : `the chain ends at ${prev.seq} but its head records ${expected.seq}`;
    return fail('head', null, detail);
  }
  return { ok: true, entries: count, lastSeq: prev.seq, lastHash: prev.hash, problem: null };
}
