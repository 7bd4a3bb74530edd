import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Orm } from '../src/shared/db.ts';
import { logSafeError } from '../src/shared/log-safe-error.ts';
import { NotFoundError, PermanentError, ValidationError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import { JOB_SCHEMAS, type JobData, type QueueName } from '../src/shared/queues.ts';
import { toRetryableError, toUnrecoverableError } from './job-errors.ts';

export interface WorkerContext {
  orm: Orm;
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  concurrency: number;
  /** Job lock and stalled-check interval, in ms: a killed worker's jobs run again after this. */
  lockMs?: number;
}

/** A handler gets validated job data, a fresh EntityManager, and whether this is the last attempt. */
export type JobHandler<Q extends QueueName> = (
  data: JobData<Q>,
  ctx: { em: ReturnType<Orm['em']['fork']>; log: Logger; finalAttempt: boolean; job: Job },
) => Promise<unknown>;

/** Called once a job has failed for good (attempts used up or unrecoverable). */
export type FinalFailureHandler<Q extends QueueName> = (data: JobData<Q>, err: Error, em: ReturnType<Orm['em']['fork']>) => Promise<void>;

/**
 * The one place that turns a stage core into a BullMQ worker: validate `job.data`, fork an
 * EntityManager, call the handler, and map errors — PermanentError and bad payloads become
 * UnrecoverableError (no retry), NotFoundError skips the job, anything else is rethrown so
 * the queue retries with backoff.
 */
export function createStageWorker<Q extends QueueName>(
  queue: Q,
  ctx: WorkerContext,
  handler: JobHandler<Q>,
  onFinalFailure?: FinalFailureHandler<Q>,
): Worker {
  const log = ctx.log.child({ worker: queue });
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const parsed = JOB_SCHEMAS[queue].safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${queue} job payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const attempts = job.opts.attempts ?? 1;
      const finalAttempt = job.attemptsMade + 1 >= attempts;
      try {
        return await handler(parsed.data as JobData<Q>, { em: ctx.orm.em.fork(), log, finalAttempt, job });
      } catch (err) {
        // What reaches BullMQ (failedReason and stacktrace, kept in Redis) and the logs is the safe
        // summary (class, code, constraint), never a driver's message with SQL and values; the
        // original stays reachable in-process as `cause`, and its code as `code`.
        if (err instanceof NotFoundError) {
          log.warn({ jobId: job.id, err: logSafeError(err) }, 'job skipped');
          return { skipped: err.code };
        }
        if (err instanceof PermanentError || err instanceof ValidationError) throw toUnrecoverableError(err);
        if (err instanceof UnrecoverableError) throw err;
        throw toRetryableError(err);
      }
    },
    {
      connection: ctx.connection,
      prefix: ctx.prefix,
      concurrency: ctx.concurrency,
      autorun: true,
      lockDuration: ctx.lockMs ?? 30_000,
      stalledInterval: ctx.lockMs ?? 30_000,
      // A stalled job is one whose process died; every stage is idempotent, so running it again
      // is safe. A few crashes in a row must not fail a message (the default allows one).
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    log.warn({ jobId: job.id, attempt: job.attemptsMade, final, err: logSafeError(err) }, 'job failed');
    if (final && onFinalFailure) {
      const parsed = JOB_SCHEMAS[queue].safeParse(job.data);
      if (parsed.success) {
        onFinalFailure(parsed.data as JobData<Q>, originalError(err), ctx.orm.em.fork()).catch((e: unknown) => log.error({ jobId: job.id, err: logSafeError(e) }, 'final-failure handler failed'));
      }
    }
  });
  worker.on('error', (err) => log.error({ err: logSafeError(err) }, 'worker error'));
  return worker;
}

/** The error a stage threw, behind the safe wrapper BullMQ was given (job-errors.ts keeps it as `cause`). */
function originalError(err: Error): Error {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : err;
}
