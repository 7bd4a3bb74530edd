import { AppError } from './errors.ts';

/** A URL with its password replaced by `***` (safe to print and log). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** The one-line cause of a failed connection: the message, else the system error code. */
export function causeText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return causeText(err.errors[0]);
  const e = err as { message?: string; code?: string; responseText?: string; response?: string } | null;
  const text = e?.responseText || e?.message || e?.response || e?.code || String(err);
  const code = e?.code && !text.includes(e.code) ? ` (${e.code})` : '';
  return `${text.split('\n')[0].trim()}${code}`;
}

/**
 * A service named by the configuration did not answer at start: one line naming the setting,
 * the target (password removed) and the cause, e.g.
 * `cannot connect: REDIS_URL (redis://127.0.0.1:6390): connect ECONNREFUSED 127.0.0.1:6390`.
 */
export class ConnectionError extends AppError {
  readonly setting: string;
  readonly target: string;

  constructor(setting: string, target: string, cause: unknown) {
    super('connection', `cannot connect: ${setting} (${target}): ${causeText(cause)}`, { cause });
    this.setting = setting;
    this.target = target;
  }
}

/** System error codes and PostgreSQL SQLSTATEs that mean "cannot reach or log in to the server". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  '28P01', '28000', '3D000', '57P03', '53300', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_READONLY',
]);

/** Whether an error is a failure to reach or log in to a server (not a bug of ours). */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionFailure);
  const e = err as { code?: string; message?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  if (/connection terminated|timeout expired|password authentication|does not exist|no pg_hba|self.signed|certificate/i.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionFailure(e.cause);
}
