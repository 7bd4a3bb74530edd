import { QueueEvents, type Queue } from 'bullmq';
import type { EntityManager } from '../src/shared/db.ts';
import { earlierStoredIds } from '../src/ingest/store-message.ts';
import { jobIdFor } from '../src/shared/queues.ts';
import type { WorkerContext } from './worker-factory.ts';

export interface FilingTurnOptions {
  /**
   * An earlier message is waited for only while its job has been running for less than this (a
   * parse that takes longer, a job whose process died, is not waited for); and no message waits
   * longer than twice this in all.
   */
  maxWaitMs: number;
  /** Look again this often even without a completion event (a worker in another process, a lost event). */
  recheckMs: number;
}

export interface FilingTurn {
  /**
   * Wait until no message of the same mailbox that arrived earlier is still being parsed by a
   * running job, at most `maxWaitMs`. True when it waited for at least one.
   */
  wait(em: EntityManager, inbound: { id: number; mailbox: string }): Promise<boolean>;
  /** This process's job for the message started, and ended (after its filing committed or failed): wakes its waiters at once. */
  started(inboundId: number): void;
  ended(inboundId: number): void;
  close(): Promise<void>;
}

const DEFAULTS: FilingTurnOptions = { maxWaitMs: 10_000, recheckMs: 250 };

/**
 * Case numbers in arrival order (issue 18). Parse jobs run concurrently and a case row gets its
 * number when it is inserted, so a message about to open a new case first lets the earlier
 * messages of its mailbox (lower inbound ids, stored in UID order) that are being parsed *right
 * now* finish filing. It waits only for jobs that are active and started less than `maxWaitMs`
 * ago: an earlier message whose job is waiting, delayed after a failure (a message that keeps
 * failing), failed or lost is not waited for, and neither is one that has been running longer
 * (a hostile message parsing up to its time limit, a job whose process was killed and that BullMQ
 * re-runs after its lock expires): each earlier message can hold later ones back for `maxWaitMs`
 * from its own start at most, however many wait for it. The wait holds no transaction and
 * no lock, so it cannot deadlock; it only orders filings that were running side by side anyway.
 * A job of this process that ends wakes its waiters at once; completion events (BullMQ
 * QueueEvents) bring the ends of other worker processes' jobs.
 */
export function createFilingTurn(ctx: WorkerContext, queue: Queue, options: Partial<FilingTurnOptions> = {}): FilingTurn {
  const { maxWaitMs, recheckMs } = { ...DEFAULTS, ...options };
  const events = new QueueEvents(queue.name, { connection: ctx.connection, prefix: ctx.prefix });
  events.on('error', () => undefined);
  const waiters = new Map<string, Set<() => void>>();
  /** This process's running parse jobs: inbound id → when it started (no Redis round trip for them). */
  const local = new Map<number, number>();
  const settled = ({ jobId }: { jobId: string }) => {
    for (const wake of waiters.get(jobId) ?? []) wake();
  };
  events.on('completed', settled);
  events.on('failed', settled);

  /** Resolves on the first completion of any of `jobIds`, or after `ms`; registered before it is awaited. */
  const anySettled = (jobIds: string[], ms: number) => {
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (wake = resolve));
    for (const id of jobIds) waiters.set(id, (waiters.get(id) ?? new Set()).add(wake));
    const timer = setTimeout(wake, ms);
    const release = () => {
      clearTimeout(timer);
      for (const id of jobIds) {
        const set = waiters.get(id);
        set?.delete(wake);
        if (set?.size === 0) waiters.delete(id);
      }
    };
    return { done: done.then(release), release };
  };

  /** Whether the job `id` is running and started less than maxWaitMs ago. */
  const worthWaiting = async (inboundId: number): Promise<boolean> => {
    const startedAt = local.get(inboundId);
    if (startedAt !== undefined) return Date.now() - startedAt < maxWaitMs;
    const id = jobIdFor('parse', inboundId);
    if ((await queue.getJobState(id)) !== 'active') return false;
    const job = await queue.getJob(id);
    return Boolean(job?.processedOn && Date.now() - job.processedOn < maxWaitMs);
  };

  const wait = async (em: EntityManager, inbound: { id: number; mailbox: string }): Promise<boolean> => {
    const deadline = Date.now() + 2 * maxWaitMs;
    let waited = false;
    for (;;) {
      const earlier = await earlierStoredIds(em, inbound.mailbox, inbound.id);
      if (earlier.length === 0) return waited;
      const jobIds = earlier.map((id) => jobIdFor('parse', id));
      // Listen before looking: a completion between the look and the wait still wakes this job.
      const next = anySettled(jobIds, Math.min(recheckMs, Math.max(0, deadline - Date.now())));
      const running = await Promise.all(earlier.map(worthWaiting));
      if (!running.includes(true) || Date.now() >= deadline) {
        next.release();
        return waited;
      }
      waited = true;
      await next.done;
    }
  };

  return {
    wait,
    started: (inboundId) => void local.set(inboundId, Date.now()),
    ended: (inboundId) => {
      local.delete(inboundId);
      settled({ jobId: jobIdFor('parse', inboundId) });
    },
    close: () => events.close(),
  };
}
