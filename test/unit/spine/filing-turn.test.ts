import { describe, expect, it } from 'vitest';
import type { EntityManager } from '../../../src/shared/db.ts';
import { createTurn, type TurnSources } from '../../../workers/filing-turn.ts';

const em = {} as EntityManager;
const MAX = 400;

/**
 * Rows 1..n of one mailbox still `stored`; `running` says which have a job running in another
 * process; a look reads at most `limit` of the nearest rows.
 */
function sources(stored: Set<number>, running: Set<number>, limit = 32): TurnSources & { looks: number; reads: number } {
  const s = {
    looks: 0,
    reads: 0,
    earlier: async (_em: EntityManager, m: { id: number }) => {
      s.reads++;
      const ids = [...stored].filter((id) => id < m.id).sort((a, b) => b - a);
      return { ids: ids.slice(0, limit), all: ids.length <= limit };
    },
    active: async (ids: number[]) => {
      s.looks++;
      return new Set(ids.filter((id) => running.has(id)));
    },
  };
  return s;
}

const msg = (id: number, storedMsAgo = 0) => ({ id, mailbox: 'INBOX', receivedAt: new Date(Date.now() - storedMsAgo) });

describe('filing turn (case numbers in arrival order)', () => {
  it('waits for an earlier message of this process until it ends, then goes on at once', async () => {
    const turn = createTurn(sources(new Set([1]), new Set()), { maxWaitMs: MAX, recheckMs: 50 });
    turn.started(1);
    const t = Date.now();
    setTimeout(() => turn.ended(1), 60);
    expect(await turn.wait(em, msg(2))).toBe(true);
    expect(Date.now() - t).toBeLessThan(MAX / 2);
  });

  it('behind several earlier jobs of this process, reads the earlier rows once: after the last has ended the turn has come', async () => {
    const stored = new Set([1, 2, 3, 4, 5, 6, 7]);
    const src = sources(stored, new Set());
    const turn = createTurn(src, { maxWaitMs: 2_000, recheckMs: 1_000 });
    for (const id of stored) turn.started(id);
    for (const id of [1, 2, 3, 4, 5, 6, 7]) {
      setTimeout(() => {
        stored.delete(id);
        turn.ended(id);
      }, 10 * id);
    }
    const t = Date.now();
    expect(await turn.wait(em, msg(8))).toBe(true);
    expect(Date.now() - t).toBeLessThan(500);
    expect(src.reads).toBe(1);
  });

  it('reads again after the last of the rows it saw has ended when one look could not hold them all', async () => {
    // Five earlier rows, a look reads the nearest three: 5, 4, 3 end here; 2 and 1 run elsewhere.
    const stored = new Set([1, 2, 3, 4, 5]);
    const running = new Set([1, 2]);
    const src = sources(stored, running, 3);
    const turn = createTurn(src, { maxWaitMs: 1_000, recheckMs: 1_000 });
    for (const id of [3, 4, 5]) turn.started(id);
    for (const id of [3, 4, 5]) {
      setTimeout(() => {
        stored.delete(id);
        turn.ended(id);
      }, 10 * (6 - id));
    }
    setTimeout(() => {
      for (const id of [1, 2]) {
        stored.delete(id);
        running.delete(id);
        turn.settled(id);
      }
    }, 150);
    const t = Date.now();
    expect(await turn.wait(em, msg(6))).toBe(true);
    // It waited for 1 and 2 too (a second look found them running in another process).
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    expect(src.reads).toBeGreaterThanOrEqual(2);
  });

  it('does not wait for earlier messages whose job is not running (waiting, delayed, lost)', async () => {
    const src = sources(new Set([1, 2, 3]), new Set());
    const turn = createTurn(src, { maxWaitMs: MAX, recheckMs: 50 });
    expect(await turn.wait(em, msg(4))).toBe(false);
    // One look at the running jobs for all three.
    expect(src.looks).toBe(1);
  });

  it('a parse that never ends holds a later message at most until maxWaitMs after it was stored', async () => {
    const turn = createTurn(sources(new Set([1]), new Set([1])), { maxWaitMs: MAX, recheckMs: 50 });
    let t = Date.now();
    expect(await turn.wait(em, msg(2))).toBe(true);
    expect(Date.now() - t).toBeGreaterThanOrEqual(MAX - 5);
    expect(Date.now() - t).toBeLessThan(MAX + 150);
    // Stored 300 ms ago: 100 ms left, whatever the earlier one does.
    t = Date.now();
    await turn.wait(em, msg(3, 300));
    expect(Date.now() - t).toBeLessThan(MAX - 300 + 150);
    // Stored longer ago than the bound (a backlog, a re-run after a crash): no wait at all.
    expect(await turn.wait(em, msg(4, MAX + 1))).toBe(false);
    // A clock ahead of ours (stored "in the future") still waits no more than maxWaitMs.
    t = Date.now();
    await turn.wait(em, { ...msg(5), receivedAt: new Date(Date.now() + 60_000) });
    expect(Date.now() - t).toBeLessThan(MAX + 150);
  });

  it('waits do not chain: a row of waiters, each behind the one before, all go by the first one\'s bound', async () => {
    // 1 parses forever; 2..9 each wait for every earlier one (all running in this process).
    const stored = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const turn = createTurn(sources(stored, new Set()), { maxWaitMs: MAX, recheckMs: 50 });
    for (const id of stored) turn.started(id);
    const t = Date.now();
    const ends = [2, 3, 4, 5, 6, 7, 8, 9].map(async (id) => {
      await turn.wait(em, msg(id));
      stored.delete(id);
      turn.ended(id);
      return Date.now() - t;
    });
    const times = await Promise.all(ends);
    expect(Math.max(...times)).toBeLessThan(MAX + 150);
  });
});
