import { pino, type Logger } from 'pino';

/**
 * One root logger for the process, writing to stderr. Message content can carry patient information, so the
 * usual places where it could leak are redacted, and callers log ids, counts and codes only.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
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
  }, pino.destination(2)); // stderr: stdout belongs to CLI output (JSON)
}

/** A logger that writes nothing, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
