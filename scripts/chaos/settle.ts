import type { ChaosDb } from './db.ts';
import type { DovecotService } from './services.ts';
import { sleep, type Timeline } from './util.ts';

export interface SettleResult {
  settled: boolean;
  /** Why the wait ended: all conditions met, the deadline, or no progress for `stallMs`. */
  reason: 'settled' | 'deadline' | 'stalled';
  ms: number;
  remaining: Record<string, number>;
}

/**
 * Wait, with a deadline and no fixed sleeps, until the system has nothing left to do: ingest
 * has fetched the whole mailbox under its current UIDVALIDITY, no message is still `stored`,
 * every question that wants a draft has one, no draft is pending (the reviewer keeps
 * approving), no outbox row is `queued` or `sending`, and no sent copy is waiting for its
 * LMTP delivery into the mailbox. Gives up early when nothing has moved
 * for `stallMs` (a row that will never move is a finding, not a reason to wait longer).
 */
export async function waitForSettle(db: ChaosDb, dovecot: DovecotService, timeline: Timeline, options: { deadlineMs: number; stallMs: number; copies?: () => { pending: number; queued: number } }): Promise<SettleResult> {
  const start = Date.now();
  let lastKey = '';
  let lastChange = Date.now();
  let lastReport = 0;
  let remaining: Record<string, number> = {};
  let quietKey: string | null = null;
  for (;;) {
    // Copies first: one delivered after the mailbox status below would otherwise be missed.
    const copies = options.copies?.() ?? { pending: 0, queued: 0 };
    const progress = await db.progress().catch(() => ({}) as Record<string, number>);
    const box = await dovecot.status().catch(() => null);
    const cursor = Object.keys(progress).find((k) => k.startsWith('cursor:'))?.split(':') ?? [];
    const behind = box ? Math.max(0, box.uidNext - 1 - (Number(cursor[1]) === box.uidValidity ? Number(cursor[2]) : 0)) : -1;
    remaining = {
      mailboxBehind: behind,
      stored: progress['inbound:stored'] ?? 0,
      wanting: progress.wanting ?? 0,
      pending: progress['draft:pending'] ?? 0,
      queued: progress['outbox:queued'] ?? 0,
      sending: progress['outbox:sending'] ?? 0,
      copiesPending: copies.pending,
    };
    const key = JSON.stringify({ ...progress, copies, uidNext: box?.uidNext });
    // Settled twice in a row with nothing moved in between (a send between two reads is not missed).
    if (Object.values(remaining).every((v) => v === 0)) {
      if (quietKey === key) return { settled: true, reason: 'settled', ms: Date.now() - start, remaining };
      quietKey = key;
    } else quietKey = null;
    if (key !== lastKey) {
      lastKey = key;
      lastChange = Date.now();
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      timeline.say('settling', remaining);
    }
    if (Date.now() - start > options.deadlineMs) return { settled: false, reason: 'deadline', ms: Date.now() - start, remaining };
    if (Date.now() - lastChange > options.stallMs) return { settled: false, reason: 'stalled', ms: Date.now() - start, remaining };
    await sleep(1_000);
  }
}
