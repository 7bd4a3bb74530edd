import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message CaseDesk delivered to the receiver (headers only; the body is not kept). */
export interface Delivered {
  at: number;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  to: string[];
  autoSubmitted: boolean;
  caseTag: string | null;
}

export interface SmtpSink {
  port: number;
  delivered: Delivered[];
  /** Deliveries per lower-cased Message-ID. */
  countById(): Map<string, number>;
  close(): Promise<void>;
}

function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw
    .subarray(0, end === -1 ? Math.min(raw.length, 64 * 1024) : end)
    .toString('utf8')
    .replace(/\r?\n[ \t]+/g, ' ');
}

function header(head: string, name: string): string | null {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1].trim() ?? null;
}

const ids = (value: string | null) => (value?.match(/<[^<>\s]+>/g) ?? []).map((id) => id.toLowerCase());

/**
 * The SMTP receiver CaseDesk sends to: accepts everything, records every message's
 * Message-ID, In-Reply-To and recipients (one JSON line each in `logFile`, ids only).
 */
export async function startSmtpSink(logFile: string): Promise<SmtpSink> {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    size: 50 * 1024 * 1024,
    closeTimeout: 1_000,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'chaos' }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        const head = headerBlock(Buffer.concat(chunks));
        const entry: Delivered = {
          at: Date.now(),
          messageId: ids(header(head, 'message-id'))[0] ?? null,
          inReplyTo: ids(header(head, 'in-reply-to'))[0] ?? null,
          references: ids(header(head, 'references')),
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          autoSubmitted: /^auto-/i.test(header(head, 'auto-submitted') ?? ''),
          caseTag: header(head, 'x-casedesk-case'),
        };
        delivered.push(entry);
        appendFileSync(logFile, `${JSON.stringify({ at: new Date(entry.at).toISOString(), messageId: entry.messageId, inReplyTo: entry.inReplyTo, to: entry.to, auto: entry.autoSubmitted, case: entry.caseTag })}\n`);
        cb(null, `queued as chaos-${delivered.length}`);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    delivered,
    countById: () => {
      const counts = new Map<string, number>();
      for (const d of delivered) if (d.messageId) counts.set(d.messageId, (counts.get(d.messageId) ?? 0) + 1);
      return counts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
