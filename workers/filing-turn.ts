import { QueueEvents, type Queue } from 'bullmq';
import type { EntityManager } from '../src/shared/db.ts';
import { earlierStoredIds } from '../src/ingest/store-message.ts';
import { jobIdFor } from '../src/shared/queues.ts';
import type { WorkerContext } from './worker-factory.ts';

export interface FilingTurnOptions {
  /**
   * The bound: a message never waits past this long after it was stored (`receivedAt`), nor
   * longer than this in all; a message stored longer ago than this does not wait.
   */
  maxWaitMs: number;
  /** Look again this often even without a wake-up (a worker in another process, a lost event). */
  recheckMs: number;
}

/** The message about to open a case. */
export interface TurnMessage {
  id: number;
  mailbox: string;
  /** When ingest stored it: the deadline is measured from here. */
  receivedAt: Date;
}

export interface FilingTurn {
  /**
   * Wait until no message of the same mailbox that arrived earlier is still being parsed by a
   * running job, at most until `receivedAt + maxWaitMs`. True when it waited for at least one.
   */
  wait(em: EntityManager, inbound: TurnMessage): Promise<boolean>;
  /** This process's job for the message started, and ended (after its filing committed or failed): wakes its waiters at once. */
  started(inboundId: number): void;
  ended(inboundId: number): void;
  close(): Promise<void>;
}

/** Where the turn looks: the earlier unsettled rows (database) and whether a job runs elsewhere (queue). */
export interface TurnSources {
  /**
   * Ids of the rows of the mailbox stored before `inbound` and still `stored`, highest first (the
   * nearest ones only); `all`: no other such row exists beyond them.
   */
  earlier(em: EntityManager, inbound: TurnMessage): Promise<{ ids: number[]; all: boolean }>;
  /** Which of these messages' parse jobs are active (in any process): one look for all of them. */
  active(inboundIds: number[]): Promise<Set<number>>;
}

/** How many of the nearest earlier rows one look reads. */
const EARLIER_LOOK = 32;

const DEFAULTS: FilingTurnOptions = { maxWaitMs: 10_000, recheckMs: 250 };

/**
 * Case numbers in arrival order (issue 18). Parse jobs run concurrently and a case row gets its
 * number when it is inserted, so a message about to open a new case first lets the earlier
 * messages of its mailbox (lower inbound ids: ingest stores in UID order) whose parse job is
 * running *right now* finish filing. An earlier message whose job is waiting, delayed after a
 * failure, failed or lost is not waited for (and not looked at again during this wait).
 *
 * The deadline is `receivedAt + maxWaitMs` (and never more than `maxWaitMs` from now): it does
 * not depend on what the earlier messages do, so waits cannot chain — a message waited for is
 * older, so its own deadline has passed first — and a slow or hostile parse holds later mail
 * back by at most `maxWaitMs` after that mail was stored. A message stored longer ago (a
 * backlog, a job re-run after its process died) files at once. The wait holds no transaction
 * and no lock, so it cannot deadlock.
 */
export function createTurn(sources: TurnSources, options: Partial<FilingTurnOptions> = {}) {
  const { maxWaitMs, recheckMs } = { ...DEFAULTS, ...options };
  const waiters = new Map<number, Set<() => void>>();
  /** This process's running parse jobs (inbound id → how many runs): no queue round trip for them. */
  const local = new Map<number, number>();
  const settled = (inboundId: number) => {
    for (const wake of waiters.get(inboundId) ?? []) wake();
  };

  /**
   * Resolves on the first end of any of `ids` (with that id), or after `ms` (with null);
   * registered before the look, so no end is missed.
   */
  const anySettled = (ids: number[], ms: number) => {
    let wake: (id: number | null) => void = () => undefined;
    const done = new Promise<number | null>((resolve) => (wake = resolve));
    const wakers = new Map(ids.map((id) => [id, () => wake(id)] as const));
    for (const [id, w] of wakers) waiters.set(id, (waiters.get(id) ?? new Set()).add(w));
    const timer = setTimeout(() => wake(null), ms);
    const release = () => {
      clearTimeout(timer);
      for (const [id, w] of wakers) {
        const set = waiters.get(id);
        set?.delete(w);
        if (set?.size === 0) waiters.delete(id);
      }
    };
    return { done: done.then((id) => (release(), id)), release };
  };

  /** Whether any of `ids` is being parsed; the ones found idle are added to `idle`. */
  const anyRunning = async (ids: number[], idle: Set<number>): Promise<boolean> => {
    if (ids.some((id) => local.has(id))) return true;
    const active = await sources.active(ids);
    for (const id of ids) if (!active.has(id)) idle.add(id);
    return ids.some((id) => active.has(id));
  };

  const wait = async (em: EntityManager, inbound: TurnMessage): Promise<boolean> => {
    const now = Date.now();
    const deadline = Math.min(inbound.receivedAt.getTime(), now) + maxWaitMs;
    const idle = new Set<number>();
    let waited = false;
    let earlier: number[] | null = null;
    let all = false;
    while (Date.now() < deadline) {
      if (earlier === null) ({ ids: earlier, all } = await sources.earlier(em, inbound));
      earlier = earlier.filter((id) => !idle.has(id));
      if (earlier.length === 0) break;
      const next = anySettled(earlier, Math.max(0, Math.min(recheckMs, deadline - Date.now())));
      if (!(await anyRunning(earlier, idle))) {
        next.release();
        break;
      }
      waited = true;
      const ended = await next.done;
      // An end in this process: while other earlier jobs still run here, wait on for them without
      // looking at the database again (each look is a query; ids below ours never appear later).
      // When that was the last earlier row and the look saw them all, the turn has come. After
      // the last local one, or at the re-check (jobs of other processes), look again.
      const rest: number[] = ended === null ? [] : earlier.filter((id) => id !== ended);
      if (ended !== null && rest.length === 0 && all) break;
      earlier = rest.some((id) => local.has(id)) ? rest : null;
    }
    return waited;
  };

  return {
    wait,
    settled,
    started: (inboundId: number) => void local.set(inboundId, (local.get(inboundId) ?? 0) + 1),
    ended: (inboundId: number) => {
      const runs = (local.get(inboundId) ?? 1) - 1;
      if (runs > 0) local.set(inboundId, runs);
      else local.delete(inboundId);
      settled(inboundId);
    },
  };
}

/**
 * The filing turn of a parse worker: ./createTurn over the inbound rows and the parse queue.
 * The ends of this process's jobs wake waiters at once; BullMQ QueueEvents bring the ends of
 * other worker processes' jobs.
 */
export function createFilingTurn(ctx: WorkerContext, queue: Queue, options: Partial<FilingTurnOptions> = {}): FilingTurn {
  const turn = createTurn({
    earlier: async (em, inbound) => {
      const ids = await earlierStoredIds(em, inbound.mailbox, inbound.id, EARLIER_LOOK);
      return { ids, all: ids.length < EARLIER_LOOK };
    },
    // The queue's active list (a few ids: the running jobs of every process), not one state query per message.
    active: async () => new Set((await queue.getRanges(['active'], 0, -1)).map(inboundIdOf).filter((id): id is number => id !== null)),
  }, options);
  const events = new QueueEvents(queue.name, { connection: ctx.connection, prefix: ctx.prefix });
  events.on('error', () => undefined);
  const fromEvent = ({ jobId }: { jobId: string }) => {
    const id = inboundIdOf(jobId);
    if (id !== null) turn.settled(id);
  };
  events.on('completed', fromEvent);
  events.on('failed', fromEvent);
  return { wait: turn.wait, started: turn.started, ended: turn.ended, close: () => events.close() };
}

/** The inbound id of a parse job's id (jobIdFor('parse', id)); null for any other id. */
function inboundIdOf(jobId: string): number | null {
  const id = Number(/(\d+)$/.exec(jobId)?.[1]);
  return Number.isSafeInteger(id) && jobId === jobIdFor('parse', id) ? id : null;
}
