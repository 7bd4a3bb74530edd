import { Worker } from 'node:worker_threads';
import { decodeTextFile, textWithoutReading, THREADED_KINDS, type TextLimits } from './extract-text.ts';
import type { AttachmentLimits } from './limits.ts';
import type { AttachmentKind, TextResult } from './types.ts';

export interface TextExtractorOptions {
  /** Reader threads (default 1: attachments are occasional, and the machine's cores are shared). */
  threads?: number;
  /** Heap cap per reader thread, in MB: a decompression bomb kills that thread, not the process (default 512). */
  maxHeapMb?: number;
  /** Entry file of the reader thread; tests swap in one that hangs or crashes. */
  workerUrl?: URL;
}

interface Task {
  bytes: Uint8Array;
  kind: AttachmentKind;
  limits: TextLimits;
  timeoutMs: number;
  resolve: (result: TextResult) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  task: (Task & { timer: NodeJS.Timeout | null }) | null;
}

const WORKER_URL = new URL('./extract-worker.mjs', import.meta.url);

/**
 * Reads the text of attachments. Images and unknown formats are answered at once ("image, no
 * text"); text and CSV are decoded in place; PDF, DOCX and HTML, whose parsers read hostile
 * input, go to a small pool of reader threads. Each thread reads one file at a time under a time
 * limit that starts when the file reaches the thread, enforced by terminating the thread, and a
 * heap cap; a thread that hangs, loops or runs out of memory is replaced on the next file.
 * `extract` never rejects. Idle threads are unref'd so a CLI process can exit.
 */
export class TextExtractor {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private readonly threads: number;
  private readonly maxHeapMb: number;
  private readonly workerUrl: URL;
  private closed = false;

  constructor(options: TextExtractorOptions = {}) {
    this.threads = Math.max(1, options.threads ?? 1);
    this.maxHeapMb = options.maxHeapMb ?? 512;
    this.workerUrl = options.workerUrl ?? WORKER_URL;
  }

  /** The text of one attachment of the given (sniffed) kind, within `limits`; resolves, never rejects. */
  extract(bytes: Uint8Array, kind: AttachmentKind, limits: Pick<AttachmentLimits, 'textTimeoutMs' | 'maxTextChars' | 'maxPdfPages'>): Promise<TextResult> {
    const textLimits: TextLimits = { maxChars: limits.maxTextChars, maxPdfPages: limits.maxPdfPages };
    const immediate = textWithoutReading(kind);
    if (immediate) return Promise.resolve(immediate);
    if (!THREADED_KINDS.has(kind)) return Promise.resolve(decodeTextFile(bytes, textLimits));
    if (this.closed) return Promise.resolve({ status: 'failed', code: 'worker', reason: 'the text reader is closed' });
    return new Promise((resolve) => {
      this.queue.push({ bytes, kind, limits: textLimits, timeoutMs: limits.textTimeoutMs, resolve });
      this.dispatch();
    });
  }

  /** Terminate every reader thread; queued files resolve as failed. */
  async close(): Promise<void> {
    this.closed = true;
    const closedResult: TextResult = { status: 'failed', code: 'worker', reason: 'the text reader is closed' };
    for (const task of this.queue.splice(0)) task.resolve(closedResult);
    await Promise.all([...this.slots].map((slot) => this.drop(slot, closedResult)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.task === null);
      if (!slot && this.slots.size < this.threads) slot = this.spawn();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, task: Task): void {
    slot.task = { ...task, timer: null };
    slot.worker.ref();
    void slot.ready.then(() => {
      if (slot.task === null || !this.slots.has(slot)) return;
      slot.task.timer = setTimeout(() => {
        void this.drop(slot, { status: 'failed', code: 'timeout', reason: `reading took longer than the ${task.timeoutMs} ms limit` });
      }, task.timeoutMs);
      const copy = new Uint8Array(task.bytes); // a private copy, moved (not cloned) into the thread
      slot.worker.postMessage({ bytes: copy, kind: task.kind, limits: task.limits }, [copy.buffer]);
    });
  }

  private spawn(): Slot {
    // The readers' own console output (pdf.js warnings and the like) is swallowed: it may quote content.
    const worker = new Worker(this.workerUrl, { stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    worker.stdout.resume();
    worker.stderr.resume();
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), task: null };
    worker.on('message', (message: { ready?: boolean; result?: TextResult }) => {
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
        ? { status: 'failed', code: 'memory', reason: `reading needed more than the ${this.maxHeapMb} MB memory limit` }
        : { status: 'failed', code: 'worker', reason: `the text reader failed: ${err.message.slice(0, 200)}` });
    });
    worker.on('exit', () => {
      void this.drop(slot, { status: 'failed', code: 'worker', reason: 'the text reader exited unexpectedly' });
    });
    this.slots.add(slot);
    return slot;
  }

  /** Remove a thread (terminating it) and settle the file it held. */
  private async drop(slot: Slot, result: TextResult): Promise<void> {
    if (!this.slots.delete(slot)) return;
    slot.worker.removeAllListeners('message');
    slot.worker.on('error', () => undefined); // a late error from a terminated thread is expected
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
