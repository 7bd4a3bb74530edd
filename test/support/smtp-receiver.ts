import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerError } from 'smtp-server';

/** One message the receiver accepted. */
export interface ReceivedMessage {
  envelope: SMTPServerEnvelope;
  raw: Buffer;
  /** mailparser's view of `raw`; undefined when it could not be parsed. */
  parsed?: ParsedMail;
}

/**
 * A failure to answer with instead of accepting: 4xx is transient (a sender retries), 5xx is
 * permanent. `at` picks the SMTP step that fails (default: after DATA, when the whole message
 * was sent); `times` fails only that many attempts, then the receiver accepts again.
 */
export interface SmtpFailure {
  code: number;
  message?: string;
  at?: 'mail' | 'rcpt' | 'data';
  times?: number;
}

export interface SmtpReceiver {
  port: number;
  host: string;
  /** Accepted messages, in arrival order (each already parsed). */
  messages: ReceivedMessage[];
  /** Number of transactions refused because of setFailure. */
  readonly rejected: number;
  /** Resolve with the messages once at least `n` were accepted; reject after `timeoutMs` (default 5000). */
  waitForMessages(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Start (`{ code, message }`) or stop (`null`) refusing mail. */
  setFailure(mode: SmtpFailure | null): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 for tests of outbound mail: no TLS, any AUTH accepted
 * (so a transport configured with SMTP_USER works too), every message kept in memory.
 */
export async function startSmtpReceiver(options: { port?: number; host?: string } = {}): Promise<SmtpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  let failure: (SmtpFailure & { left: number }) | null = null;
  let rejected = 0;

  /** The error to answer at `step`, if a failure is set for it (counts down `times`). */
  const failAt = (step: NonNullable<SmtpFailure['at']>): SMTPServerError | null => {
    if (!failure || (failure.at ?? 'data') !== step || failure.left <= 0) return null;
    failure.left -= 1;
    rejected += 1;
    const err: SMTPServerError = new Error(failure.message ?? (failure.code >= 500 ? 'Rejected by test receiver' : 'Try again later'));
    err.responseCode = failure.code;
    return err;
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 1000,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'test' }),
    onMailFrom: (_address, _session, cb) => cb(failAt('mail')),
    onRcptTo: (_address, _session, cb) => cb(failAt('rcpt')),
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        const err = failAt('data');
        if (err) return cb(err);
        const raw = Buffer.concat(chunks);
        const envelope = structuredClone(session.envelope);
        simpleParser(raw)
          .then((parsed) => ({ envelope, raw, parsed }), () => ({ envelope, raw }))
          .then((message: ReceivedMessage) => {
            messages.push(message);
            for (const wake of waiters) wake();
            cb(null, `queued as test-${messages.length}`);
          });
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start (a client dropping the connection) must not crash the test process.
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    host,
    messages,
    get rejected() {
      return rejected;
    },
    waitForMessages(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`SMTP receiver: ${messages.length} of ${n} message(s) after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    setFailure(mode) {
      failure = mode ? { ...mode, left: mode.times ?? Number.POSITIVE_INFINITY } : null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
