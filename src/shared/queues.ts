import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The queue module: the only place besides workers/ that knows BullMQ. A job carries ids only,
 * never message content (job data sits in Redis in clear text).
 */
export const QUEUE_NAMES = { parse: 'parse', scan: 'scan', draft: 'draft', send: 'send' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUE_NAMES);

/** Typed payload per queue; workers validate job.data against these. */
export const JOB_SCHEMAS = {
  parse: z.object({ inboundId: z.number().int().positive() }),
  scan: z.object({ caseMessageId: z.number().int().positive() }),
  draft: z.object({ caseMessageId: z.number().int().positive() }),
  send: z.object({ outboxId: z.number().int().positive() }),
} as const satisfies Record<QueueName, z.ZodType>;

export type JobData<Q extends QueueName> = z.infer<(typeof JOB_SCHEMAS)[Q]>;

/** Deterministic job ids: the same row never has two jobs waiting (BullMQ ids may not contain ':'). */
export function jobIdFor(queue: QueueName, rowId: number): string {
  return `${queue}-${rowId}`;
}

/** Retry policy per queue: exponential backoff; send retries longer (SMTP servers greylist). */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  parse: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: 14 * 86_400 } },
  // A scan job never fails on clamd being down (the attachment is recorded `not-scanned` and scanned again later).
  scan: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: 14 * 86_400 } },
  draft: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: 14 * 86_400 } },
  send: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 14 * 86_400 } },
};

/** What stage cores need from the queues: add the next stage's job for a row. */
export interface Enqueuer {
  enqueueParse(inboundId: number): Promise<void>;
  /** Several parse jobs in one round trip (ingest's batch), in the order given. */
  enqueueParseMany(inboundIds: number[]): Promise<void>;
  /** Scan (and read) the attachments of an inbound case message; the scan stage then queues its draft. */
  enqueueScan(caseMessageId: number): Promise<void>;
  enqueueDraft(caseMessageId: number): Promise<void>;
  enqueueSend(outboxId: number): Promise<void>;
}

export interface Queues extends Enqueuer {
  queues: Record<QueueName, Queue>;
  /** Remove a failed or finished job so the same deterministic id can be queued again. */
  forget(queue: QueueName, rowId: number): Promise<void>;
  /** Whether the row's job is being worked on now (active, its lock held or not yet stalled). */
  isActive(queue: QueueName, rowId: number): Promise<boolean>;
  depths(): Promise<Record<QueueName, Record<string, number>>>;
  close(): Promise<void>;
}

/** Open the queues under one prefix (QUEUE_PREFIX), sharing one connection. */
export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const queues = Object.fromEntries(
    ALL_QUEUES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS[name] })]),
  ) as Record<QueueName, Queue>;
  // A lost connection is reported by the command that fails (and by the connection's owner), not
  // printed once per queue per reconnect attempt.
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  const add = async <Q extends QueueName>(name: Q, rowId: number, data: JobData<Q>) => {
    await queues[name].add(name, data, { jobId: jobIdFor(name, rowId) });
  };
  return {
    queues,
    enqueueParse: (inboundId) => add('parse', inboundId, { inboundId }),
    enqueueParseMany: async (inboundIds) => {
      if (inboundIds.length === 0) return;
      await queues.parse.addBulk(inboundIds.map((inboundId) => ({ name: 'parse', data: { inboundId }, opts: { jobId: jobIdFor('parse', inboundId) } })));
    },
    enqueueScan: (caseMessageId) => add('scan', caseMessageId, { caseMessageId }),
    enqueueDraft: (caseMessageId) => add('draft', caseMessageId, { caseMessageId }),
    enqueueSend: (outboxId) => add('send', outboxId, { outboxId }),
    forget: async (name, rowId) => {
      const job = await queues[name].getJob(jobIdFor(name, rowId));
      if (job && !(await job.isActive())) await job.remove();
    },
    isActive: async (name, rowId) => {
      const job = await queues[name].getJob(jobIdFor(name, rowId));
      return job ? job.isActive() : false;
    },
    depths: async () => {
      const entries = await Promise.all(
        ALL_QUEUES.map(async (name) => [name, await queues[name].getJobCounts('waiting', 'active', 'delayed', 'failed')] as const),
      );
      return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
    },
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
