import nodemailer from 'nodemailer';
import { SERVICE_ADDRESS, type Delivery } from './mail.ts';
import type { SmtpSink } from './smtp-sink.ts';
import { sleep, type Timeline } from './util.ts';

/** What happened to one delivery at the LMTP door. */
export interface DeliveryRecord {
  n: number;
  deliveredAt: number | null;
  attempts: number;
  /** Follow-ups: the Message-ID it answered (the ack's or the question's). */
  inReplyTo?: string;
  /** Follow-ups: whether the parent was a case message when the reply was sent. */
  parentReady?: boolean;
}

export interface LoadDeps {
  lmtpPort: number;
  timeline: Timeline;
  sink: SmtpSink;
  windowMs: number;
  /** Is this Message-ID stored and parsed into a case? (a follow-up waits for its parent) */
  parsed: (messageId: string) => Promise<boolean>;
  /** Is delivery `n` in the mailbox? (after an ambiguous LMTP failure) */
  inMailbox: (n: number) => Promise<boolean>;
}

const CRLF = '\r\n';

function bounceBody(lost: string): { headers: string[]; body: string } {
  const b = 'chaos-dsn-boundary';
  const body = [
    `--${b}`, 'Content-Type: text/plain; charset=us-ascii', '', 'This is the mail system at host mx.chaos.test.', 'Your message could not be delivered to one or more recipients.', '',
    `--${b}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.chaos.test', '', 'Final-Recipient: rfc822; gone@nowhere.chaos.test', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 user unknown', '',
    `--${b}`, 'Content-Type: text/rfc822-headers', '', `Message-ID: ${lost}`, 'From: CaseDesk <answers@casedesk.chaos.test>', 'Subject: Re: your question', '',
    `--${b}--`, '',
  ].join(CRLF);
  return { headers: ['MIME-Version: 1.0', `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`], body };
}

/** The RFC 5322 bytes of one delivery; every one carries `X-Chaos-Delivery: <n>` (how the checks find it). */
export function renderDelivery(d: Delivery, inReplyTo?: string, references: string[] = []): Buffer {
  if (d.corpus) {
    const eol = d.corpus.raw.includes('\r\n') ? CRLF : '\n';
    // A file saved from an mbox starts with its "From sender date" separator line, which is no part
    // of the message (an MTA never delivers it): drop it, or the header added above it would end
    // the header block there.
    const raw = d.corpus.raw.subarray(0, 5).toString('latin1') === 'From ' ? d.corpus.raw.subarray(d.corpus.raw.indexOf(10) + 1) : d.corpus.raw;
    return Buffer.concat([Buffer.from(`X-Chaos-Delivery: ${d.n}${eol}`), raw]);
  }
  const lines = [`X-Chaos-Delivery: ${d.n}`, `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`];
  if (d.from) lines.push(`From: "${d.fromName.replace(/["\\]/g, '')}" <${d.from}>`);
  lines.push(`To: CaseDesk <${SERVICE_ADDRESS}>`, `Subject: ${d.subject}`, `Message-ID: ${d.messageId}`);
  if (inReplyTo) lines.push(`In-Reply-To: ${inReplyTo}`, `References: ${[...references, inReplyTo].join(' ')}`);
  const bounceOf = d.headers['X-Chaos-Bounce-Of'];
  for (const [k, v] of Object.entries(d.headers)) if (k !== 'X-Chaos-Bounce-Of') lines.push(`${k}: ${v}`);
  if (bounceOf) {
    const dsn = bounceBody(bounceOf);
    return Buffer.from([...lines, ...dsn.headers].join(CRLF) + CRLF + CRLF + dsn.body);
  }
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + d.text.replace(/\r?\n/g, CRLF));
}

/** A failure before the message data went out: nothing was delivered, try again. */
function safeToRetry(err: Error & { code?: string; command?: string }): boolean {
  return err.code === 'ECONNREFUSED' || ['CONN', 'LHLO', 'EHLO', 'HELO', 'MAIL FROM', 'RCPT TO'].includes(err.command ?? 'CONN');
}

/**
 * Delivers the plan through LMTP over the load window. Consecutive messages from one sender go
 * back to back (bursts); follow-ups wait (at most 90 s) until their parent is a case message and,
 * when they answer our acknowledgement, until it reached the SMTP receiver. Deliveries pause
 * while Dovecot is down (`paused`), as a real MTA would queue.
 */
export class LoadDriver {
  paused = false;
  stopped = false;
  readonly records = new Map<number, DeliveryRecord>();
  private readonly transport;

  constructor(private readonly plan: Delivery[], private readonly deps: LoadDeps) {
    // One pooled LMTP connection, reused: a connection per message costs more than the delivery.
    this.transport = nodemailer.createTransport({ pool: true, maxConnections: 1, maxMessages: Infinity, host: '127.0.0.1', port: deps.lmtpPort, lmtp: true, secure: false, ignoreTLS: true, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  }

  async run(): Promise<void> {
    const start = Date.now();
    const gap = this.deps.windowMs / Math.max(1, this.plan.length);
    const deferred: Array<{ d: Delivery; giveUpAt: number }> = [];
    const byN = new Map(this.plan.map((d) => [d.n, d]));
    for (let i = 0; i < this.plan.length && !this.stopped; i++) {
      const d = this.plan[i];
      const prev = this.plan[i - 1];
      const burst = prev && prev.from === d.from && d.kind === prev.kind && (d.kind === 'question' || d.kind === 'stranger');
      if (!burst) await this.until(start + i * gap, deferred, byN);
      if (d.kind === 'follow-up') deferred.push({ d, giveUpAt: Date.now() + 90_000 });
      else await this.deliver(d);
    }
    while (deferred.length > 0 && !this.stopped) await this.until(Date.now() + 500, deferred, byN);
    this.transport.close();
  }

  /** Wait until `t`, sending deferred follow-ups whose parent is ready meanwhile. */
  private async until(t: number, deferred: Array<{ d: Delivery; giveUpAt: number }>, byN: Map<number, Delivery>): Promise<void> {
    do {
      for (const item of [...deferred]) {
        const parent = byN.get(item.d.parent!)!;
        const ready = await this.deps.parsed(parent.messageId).catch(() => false);
        const ack = this.ackFor(parent);
        const waitingForAck = item.d.replyTo === 'ack' && !ack;
        if ((ready && !waitingForAck) || Date.now() > item.giveUpAt) {
          deferred.splice(deferred.indexOf(item), 1);
          const target = item.d.replyTo === 'ack' && ack ? ack : parent.messageId;
          await this.deliver(item.d, { inReplyTo: target, references: target === parent.messageId ? [] : [parent.messageId], parentReady: ready });
        }
      }
      if (Date.now() < t) await sleep(Math.min(250, t - Date.now()));
    } while (Date.now() < t && !this.stopped);
  }

  private ackFor(parent: Delivery): string | null {
    const id = parent.messageId.toLowerCase();
    return this.deps.sink.delivered.find((m) => m.autoSubmitted && m.inReplyTo === id)?.messageId ?? null;
  }

  private async deliver(d: Delivery, reply?: { inReplyTo: string; references: string[]; parentReady: boolean }): Promise<void> {
    const raw = renderDelivery(d, reply?.inReplyTo, reply?.references);
    const record: DeliveryRecord = { n: d.n, deliveredAt: null, attempts: 0, inReplyTo: reply?.inReplyTo, parentReady: reply?.parentReady };
    this.records.set(d.n, record);
    const giveUpAt = Date.now() + 120_000;
    while (!this.stopped) {
      while (this.paused && !this.stopped) await sleep(100);
      record.attempts += 1;
      try {
        await this.transport.sendMail({ envelope: { from: d.from ?? 'nobody@nowhere.chaos.test', to: [SERVICE_ADDRESS] }, raw });
        record.deliveredAt = Date.now();
        return;
      } catch (err) {
        const e = err as Error & { code?: string; command?: string };
        if (!safeToRetry(e) && (await this.deps.inMailbox(d.n).catch(() => false))) {
          record.deliveredAt = Date.now();
          return;
        }
        if (Date.now() > giveUpAt) {
          this.deps.timeline.say('delivery given up', { n: d.n, code: e.code, command: e.command });
          return;
        }
        await sleep(500);
      }
    }
  }
}
