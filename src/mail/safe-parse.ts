import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { safeErrorSummary } from '../shared/log-safe-error.ts';
import type { ParseLimits, SafeParseResult } from './parse-result.ts';

export type { ParseLimits, QuarantineCode, SafeParseResult } from './parse-result.ts';

/** The parse limits from validated configuration (MAX_MESSAGE_BYTES, PARSE_TIMEOUT_MS, MAX_MIME_DEPTH, MAX_MIME_PARTS). */
export function parseLimitsFromEnv(env: { MAX_MESSAGE_BYTES: number; PARSE_TIMEOUT_MS: number; MAX_MIME_DEPTH: number; MAX_MIME_PARTS: number; MAX_ATTACHMENT_BYTES?: number }): ParseLimits {
  return {
    maxBytes: env.MAX_MESSAGE_BYTES, timeoutMs: env.PARSE_TIMEOUT_MS, maxDepth: env.MAX_MIME_DEPTH, maxParts: env.MAX_MIME_PARTS,
    maxAttachmentBytes: env.MAX_ATTACHMENT_BYTES,
  };
}

export interface ParsePoolOptions {
  /** Parser threads; a hung parse holds one of them until its time limit (default 2–4). */
  threads?: number;
  /** Heap cap per parser thread: a decoding bomb kills that thread, not the process (default 512). */
  maxHeapMb?: number;
}

interface Task {
  raw: Buffer;
  limits: ParseLimits;
  resolve: (result: SafeParseResult) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  task: (Task & { timer: NodeJS.Timeout | null }) | null;
}

const WORKER_URL = new URL('./parse-worker.mjs', import.meta.url);
/**
 * A message up to this size with at most INLINE_PARTS MIME parts is parsed on the calling thread:
 * the pre-scan has bounded its structure, and at that size mailparser is done in milliseconds
 * (measured at 68 ms for the worst hostile shape, HTML nested 6,000 deep, and 0.4 ms of CPU for
 * a question, against 1.1 ms through a thread). Anything else goes to a parser thread.
 */
const INLINE_BYTES = 64 * 1024;
const INLINE_PARTS = 16;
/** Messages above this size count as large for the pool's fairness rule (real questions are far smaller). */
const LARGE_BYTES = 1024 * 1024;

/**
 * Parse raw messages defensively: the size cap first, then (on a parser thread) a streaming
 * pre-scan for header size, MIME depth and part count, then mailparser, all under a time limit.
 * `parse` never rejects: a message over any limit resolves `{ ok: false, code, reason }` with a
 * human-readable reason for the quarantine record. Whoever creates a pool closes it
 * (workers/main.ts for the parse stage, the `classify` command for its one message).
 *
 * A small message (INLINE_BYTES) is pre-scanned right here, and parsed here too when it has at
 * most INLINE_PARTS parts: handing it to a thread cost more CPU than parsing it (issue 11).
 * Everything else goes to a small pool of parser threads. Each thread parses one message at a time; the time limit
 * starts when the message reaches its thread (not while it waits in the queue) and is enforced by
 * terminating that thread, so a parse that hangs or loops costs one thread for `timeoutMs` and
 * never blocks the main event loop or the other threads. A thread that dies (heap limit) is
 * replaced on the next message. Idle threads are unref'd so a CLI process can exit.
 *
 * Why not piscina: its abort signal runs from submission, so a message waiting in its queue
 * would use up its time limit before reaching a thread (ours starts the clock on the thread, once
 * loaded); and the fairness rule below (large messages never hold every thread) needs the
 * dispatch decision, which piscina keeps to itself. The pool is small; the rules are the point.
 */
export class ParsePool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private readonly threads: number;
  private readonly maxHeapMb: number;
  private closed = false;
  private inline: Promise<typeof import('./parse-worker.ts')> | null = null;

  constructor(options: ParsePoolOptions = {}) {
    this.threads = options.threads ?? Math.max(2, Math.min(4, availableParallelism()));
    this.maxHeapMb = options.maxHeapMb ?? 512;
  }

  /** Parse one raw message within `limits`; resolves (never rejects) with the message or a quarantine reason. */
  parse(raw: Buffer, limits: ParseLimits): Promise<SafeParseResult> {
    // The size cap is checked before anything is copied or parsed.
    if (raw.length > limits.maxBytes) {
      return Promise.resolve({ ok: false, code: 'too-large', reason: `message is ${raw.length} bytes, over the ${limits.maxBytes}-byte limit` });
    }
    if (this.closed) return Promise.resolve({ ok: false, code: 'unparseable', reason: 'parse pool is closed' });
    return raw.length <= INLINE_BYTES ? this.parseSmall(raw, limits) : this.onThread(raw, limits);
  }

  private onThread(raw: Buffer, limits: ParseLimits): Promise<SafeParseResult> {
    return new Promise((resolve) => {
      this.queue.push({ raw, limits, resolve });
      this.dispatch();
    });
  }

  /**
   * A small message: the pre-scan here (it refuses what is over a limit), then mailparser here
   * when it found at most INLINE_PARTS parts, else on a thread. The parse code is loaded on first use.
   */
  private async parseSmall(raw: Buffer, limits: ParseLimits): Promise<SafeParseResult> {
    try {
      this.inline ??= import('./parse-worker.ts');
      const { preScan, parseScanned } = await this.inline;
      const scanned = preScan(raw, limits);
      if ('result' in scanned) return scanned.result;
      return scanned.parts.length <= INLINE_PARTS ? await parseScanned(scanned, limits) : await this.onThread(raw, limits);
    } catch (err) {
      // The class only, as on a thread: a parser's message can quote the mail.
      return { ok: false, code: 'unparseable', reason: `parse failed: ${err instanceof Error ? err.name : 'unknown error'}` };
    }
  }

  /** How many parser threads are running (none until a message needs one). */
  get threadCount(): number {
    return this.slots.size;
  }

  /** Terminate every thread; queued messages resolve as unparseable. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve({ ok: false, code: 'unparseable', reason: 'parse pool is closed' });
    await Promise.all([...this.slots].map((slot) => this.drop(slot, { ok: false, code: 'unparseable', reason: 'parse pool is closed' })));
  }

  /**
   * Start queued messages on free threads. Fairness rule: large messages (over LARGE_BYTES)
   * may hold at most threads − 1 threads, so one thread always stays free for ordinary mail
   * and a batch of big or hostile messages never makes a small question wait behind it.
   */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const largeBusy = [...this.slots].filter((s) => s.task !== null && s.task.raw.length > LARGE_BYTES).length;
      const largeAllowed = largeBusy < Math.max(1, this.threads - 1);
      const index = this.queue.findIndex((t) => t.raw.length <= LARGE_BYTES || largeAllowed);
      if (index === -1) return;
      let slot = [...this.slots].find((s) => s.task === null);
      if (!slot && this.slots.size < this.threads) slot = this.spawn();
      if (!slot) return;
      this.start(slot, this.queue.splice(index, 1)[0]);
    }
  }

  private start(slot: Slot, task: Task): void {
    // Claim the slot now; the clock starts once the thread has loaded.
    slot.task = { ...task, timer: null };
    slot.worker.ref();
    void slot.ready.then(() => {
      if (slot.task === null || !this.slots.has(slot)) return;
      const { timeoutMs } = task.limits;
      slot.task.timer = setTimeout(() => {
        void this.drop(slot, { ok: false, code: 'timeout', reason: `parsing took longer than the ${timeoutMs} ms limit` });
      }, timeoutMs);
      const copy = new Uint8Array(task.raw); // a private copy, moved (not cloned) into the thread
      slot.worker.postMessage({ id: 1, raw: copy, limits: task.limits }, [copy.buffer]);
    });
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), task: null };
    worker.on('message', (message: { ready?: boolean; result?: SafeParseResult }) => {
      if (message.ready) return markReady();
      const task = slot.task;
      if (!task || !message.result) return;
      if (task.timer) clearTimeout(task.timer);
      slot.task = null;
      worker.unref();
      task.resolve(message.result);
      this.dispatch();
    });
    worker.on('error', (err) => {
      const memory = /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(`${(err as { code?: string }).code ?? ''} ${err.message}`);
      void this.drop(slot, memory
        ? { ok: false, code: 'too-large', reason: `parsing needed more than the ${this.maxHeapMb} MB memory limit` }
        : { ok: false, code: 'unparseable', reason: `parse worker failed: ${safeErrorSummary(err)}` });
    });
    worker.on('exit', () => {
      void this.drop(slot, { ok: false, code: 'unparseable', reason: 'parse worker exited unexpectedly' });
    });
    this.slots.add(slot);
    return slot;
  }

  /** Remove a thread (terminating it) and settle the message it held. */
  private async drop(slot: Slot, result: SafeParseResult): Promise<void> {
    if (!this.slots.delete(slot)) return;
    markDone(slot);
    const task = slot.task;
    slot.task = null;
    if (task) {
      if (task.timer) clearTimeout(task.timer);
      task.resolve(result);
    }
    const terminated = slot.worker.terminate();
    if (!this.closed) this.dispatch();
    await terminated;
  }
}

function markDone(slot: Slot): void {
  slot.worker.removeAllListeners('message');
  slot.worker.on('error', () => undefined); // a late error from a terminated thread is expected
}
