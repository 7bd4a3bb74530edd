import { UnrecoverableError } from 'bullmq';
import { logSafeError, safeErrorSummary } from '../src/shared/log-safe-error.ts';

/**
 * BullMQ writes a failed job's `err.message` (as `failedReason`) and `err.stack` into Redis in
 * clear text. A driver error's message holds SQL with values, so a worker must not hand the
 * original error to BullMQ: these helpers make an error whose message is the safe summary
 * (class, code, constraint name) while `cause` keeps the original for in-process handlers and
 * `code` keeps its code.
 */
export interface SafeJobError extends Error {
  code?: string;
}

/** For a failure retrying cannot fix: BullMQ's UnrecoverableError (no more attempts). */
export function toUnrecoverableError(err: unknown): UnrecoverableError & SafeJobError {
  return withCause(new UnrecoverableError(safeErrorSummary(err)), err);
}

/** For a failure worth retrying: a plain error with the safe summary, rethrown to BullMQ. */
export function toRetryableError(err: unknown): SafeJobError {
  const safe = withCause(new Error(safeErrorSummary(err)), err);
  safe.name = 'RetryableJobError';
  return safe;
}

function withCause<E extends Error>(safe: E, err: unknown): E & SafeJobError {
  const code = logSafeError(err).code;
  // Not enumerable: a logger or serializer that walks the error does not reach the original.
  Object.defineProperty(safe, 'cause', { value: err, enumerable: false, configurable: true, writable: true });
  if (code !== undefined) Object.defineProperty(safe, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return safe as E & SafeJobError;
}
