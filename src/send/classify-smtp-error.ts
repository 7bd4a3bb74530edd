/**
 * Whether an SMTP failure is worth retrying. Policy:
 * - a 5xx reply (to MAIL FROM, RCPT TO, DATA or the message) is permanent: the server said no;
 * - a 4xx reply is transient (greylisting, mailbox busy, rate limits);
 * - network trouble (refused, reset, timeouts, DNS) is transient;
 * - authentication failure is transient: it is the operator's to fix, and a retry after the
 *   fix should go through rather than drop the reply;
 * - anything unrecognised is transient, so a reply is never given up on by accident (the queue's
 *   attempt limit ends it, and the row then shows the last error).
 */
export type SmtpVerdict = { retry: boolean; reason: string };

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETLS']);

export function classifySmtpError(err: unknown): SmtpVerdict {
  const e = (err ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string };
  const text = (e.response ?? e.message ?? 'unknown error').slice(0, 500);
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500 && e.responseCode < 600) return { retry: false, reason: `permanent SMTP failure ${e.responseCode}: ${text}` };
    if (e.responseCode >= 400 && e.responseCode < 500) return { retry: true, reason: `transient SMTP failure ${e.responseCode}: ${text}` };
  }
  if (e.code === 'EAUTH') return { retry: true, reason: `SMTP authentication failed: ${text}` };
  if (e.code && NETWORK_CODES.has(e.code)) return { retry: true, reason: `SMTP connection problem ${e.code}: ${text}` };
  if (e.code === 'EENVELOPE') return { retry: false, reason: `invalid envelope: ${text}` };
  return { retry: true, reason: `SMTP error: ${text}` };
}
