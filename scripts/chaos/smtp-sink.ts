import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sleep, type Timeline } from './util.ts';

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

/** One copy addressed to the service mailbox, on its way there over LMTP (the MTA's queue). */
interface QueuedCopy {
  messageId: string | null;
  envelopeFrom: string;
  raw: Buffer;
  queuedAt: number;
  attempts: number;
}

/** What happened to the copies addressed to the service mailbox (SENT_COPY=bcc). */
export interface CopyFigures {
  /** Messages received with the service mailbox among the recipients. */
  queued: number;
  /** Delivered into the mailbox over LMTP (or found there after an ambiguous failure). */
  delivered: number;
  /** Still in the queue (Dovecot down, retrying). */
  pending: number;
  /** Given up after `giveUpMs` of failures: counted, never dropped silently. */
  undeliverable: number;
  /** LMTP attempts that failed and were retried. */
  retries: number;
  /** Lower-cased Message-IDs of the copies given up. */
  undeliverableIds: string[];
  /** Lower-cased Message-IDs of the copies delivered (once per delivery). */
  deliveredIds: string[];
}

export interface SmtpSink {
  port: number;
  delivered: Delivered[];
  /** Deliveries per lower-cased Message-ID. */
  countById(): Map<string, number>;
  /** The service mailbox's copies: queued, delivered, pending, undeliverable. */
  copies(): CopyFigures;
  close(): Promise<void>;
}

export interface CopyDelivery {
  /** The service mailbox: a recipient equal to it is delivered into Dovecot (BCC copies). */
  mailbox: string;
  lmtpPort: number;
  timeline: Timeline;
  /** Is a message with this Message-ID in the mailbox? (settles an LMTP failure after DATA) */
  inMailbox: (messageId: string) => Promise<boolean>;
  /** How long a copy is retried before it counts as undeliverable (a real MTA gives up after days). */
  giveUpMs?: number;
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

/** A failure before the message data went out: nothing was delivered, try again. */
function beforeData(err: Error & { code?: string; command?: string }): boolean {
  return err.code === 'ECONNREFUSED' || ['CONN', 'LHLO', 'EHLO', 'HELO', 'MAIL FROM', 'RCPT TO'].includes(err.command ?? 'CONN');
}

/**
 * The MTA side of the receiver: every message with the service mailbox among its recipients is
 * queued and delivered into Dovecot over LMTP, one at a time, retried with backoff while
 * Dovecot is down (its restart fault). An LMTP failure after the data went out is settled by
 * looking for the Message-ID in the mailbox, so a copy is delivered once, not twice.
 */
class CopyQueue {
  private readonly queue: QueuedCopy[] = [];
  private readonly transport;
  private stopped = false;
  private wake: (() => void) | null = null;
  readonly figures: CopyFigures = { queued: 0, delivered: 0, pending: 0, undeliverable: 0, retries: 0, undeliverableIds: [], deliveredIds: [] };
  readonly done: Promise<void>;

  constructor(private readonly deps: CopyDelivery) {
    this.transport = nodemailer.createTransport({ host: '127.0.0.1', port: deps.lmtpPort, lmtp: true, secure: false, ignoreTLS: true, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    this.done = this.pump();
  }

  push(copy: QueuedCopy): void {
    this.queue.push(copy);
    this.figures.queued += 1;
    this.figures.pending = this.queue.length;
    this.wake?.();
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const copy = this.queue[0];
      if (!copy) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 1_000);
        });
        this.wake = null;
        continue;
      }
      const outcome = await this.attempt(copy);
      if (outcome === 'retry') {
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(copy.attempts, 5)));
        continue;
      }
      this.queue.shift();
      this.figures.pending = this.queue.length;
      if (outcome === 'delivered') {
        this.figures.delivered += 1;
        if (copy.messageId) this.figures.deliveredIds.push(copy.messageId);
      }
    }
  }

  private async attempt(copy: QueuedCopy): Promise<'delivered' | 'retry' | 'given up'> {
    copy.attempts += 1;
    try {
      await this.transport.sendMail({ envelope: { from: copy.envelopeFrom, to: [this.deps.mailbox] }, raw: copy.raw });
      return 'delivered';
    } catch (err) {
      const e = err as Error & { code?: string; command?: string };
      if (!beforeData(e) && copy.messageId && (await this.deps.inMailbox(copy.messageId).catch(() => false))) return 'delivered';
      this.figures.retries += 1;
      if (Date.now() - copy.queuedAt > (this.deps.giveUpMs ?? 600_000)) {
        this.figures.undeliverable += 1;
        this.figures.undeliverableIds.push(copy.messageId ?? '(no message-id)');
        this.deps.timeline.say('sent copy undeliverable: given up', { messageId: copy.messageId, attempts: copy.attempts, code: e.code, command: e.command });
        return 'given up';
      }
      if (copy.attempts === 1 || copy.attempts % 10 === 0) this.deps.timeline.note('sent copy delivery deferred', { messageId: copy.messageId, attempts: copy.attempts, code: e.code, command: e.command });
      return 'retry';
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    this.transport.close();
  }
}

/**
 * The SMTP receiver CaseDesk sends to: accepts everything, records every message's
 * Message-ID, In-Reply-To and recipients (one JSON line each in `logFile`, ids only), and,
 * like a real mail server, delivers what is addressed to the service mailbox (the BCC copies of
 * SENT_COPY=bcc) into Dovecot over LMTP, queued and retried.
 */
export async function startSmtpSink(logFile: string, copyDelivery: CopyDelivery): Promise<SmtpSink> {
  const delivered: Delivered[] = [];
  const copies = new CopyQueue(copyDelivery);
  const mailbox = copyDelivery.mailbox.toLowerCase();
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
        const raw = Buffer.concat(chunks);
        const head = headerBlock(raw);
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
        const copy = entry.to.includes(mailbox);
        appendFileSync(logFile, `${JSON.stringify({ at: new Date(entry.at).toISOString(), messageId: entry.messageId, inReplyTo: entry.inReplyTo, to: entry.to, auto: entry.autoSubmitted, case: entry.caseTag, copy })}\n`);
        // Queued before the answer, as an MTA does: once the sender has the 250, the copy is ours to deliver.
        if (copy) {
          const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          copies.push({ messageId: entry.messageId, envelopeFrom, raw, queuedAt: Date.now(), attempts: 0 });
        }
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
    copies: () => ({ ...copies.figures, undeliverableIds: [...copies.figures.undeliverableIds], deliveredIds: [...copies.figures.deliveredIds] }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await copies.stop();
    },
  };
}
