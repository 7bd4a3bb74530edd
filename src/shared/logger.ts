import { pino, type DestinationStream, type Logger } from 'pino';
import { logSafeError } from './log-safe-error.ts';

/** An Error logged under `err` or `error` (by any caller, or a library) is reduced to its class, code and frames. */
const safeErr = (value: unknown): unknown => (value instanceof Error ? logSafeError(value) : value);

/**
 * One root logger for the process, writing to stderr. Message content can carry patient information, so the
 * usual places where it could leak are redacted, and callers log ids, counts and codes only.
 */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino({
    name: options.name ?? 'casedesk',
    level: options.level ?? 'info',
    redact: {
      paths: [
        'password', '*.password', 'pass', '*.pass', 'auth', '*.auth', 'authorization',
        '*.authorization', 'headers.authorization', 'headers.cookie', 'cookie',
        'subject', '*.subject', 'body', '*.body', 'text', '*.text', 'html', '*.html', 'raw', '*.raw',
      ],
      censor: '[redacted]',
    },
    serializers: { err: safeErr, error: safeErr },
  }, options.destination ?? pino.destination(2)); // stderr: stdout belongs to CLI output (JSON)
}

/** A logger that writes nothing, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
