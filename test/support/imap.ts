import { randomUUID } from 'node:crypto';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';

/**
 * The test Dovecot that `scripts/services.sh start` runs: IMAP without TLS and LMTP on loopback.
 * Ports follow the same variables as services.sh (DOVECOT_IMAP_PORT, DOVECOT_LMTP_PORT);
 * TEST_IMAP_* override everything, for a Dovecot elsewhere.
 */
export interface TestImapSettings {
  host: string;
  port: number;
  lmtpPort: number;
  user: string;
  password: string;
}

export function testImapSettings(): TestImapSettings {
  const env = process.env;
  return {
    host: env.TEST_IMAP_HOST ?? '127.0.0.1',
    port: Number(env.TEST_IMAP_PORT ?? env.DOVECOT_IMAP_PORT ?? 1143),
    lmtpPort: Number(env.TEST_LMTP_PORT ?? env.DOVECOT_LMTP_PORT ?? 2424),
    user: env.TEST_IMAP_USER ?? 'casedesk@example.test',
    password: env.TEST_IMAP_PASSWORD ?? 'casedesk-pw',
  };
}

/** ImapFlow options for the service mailbox (casedesk@example.test), or another test user. */
export function testImapConfig(auth?: { user: string; pass: string }): ImapFlowOptions {
  const s = testImapSettings();
  return {
    host: s.host,
    port: s.port,
    secure: false,
    // Dovecot here has no TLS; never try STARTTLS on loopback.
    doSTARTTLS: false,
    logger: false,
    auth: auth ?? { user: s.user, pass: s.password },
  };
}

/**
 * The same mailbox as CaseDesk's own configuration keys (config/schema.ts), for tests that boot
 * a stage or a worker through `parseConfig`.
 */
export function testImapEnv(mailbox = 'INBOX'): Record<string, string> {
  const s = testImapSettings();
  return {
    IMAP_HOST: s.host,
    IMAP_PORT: String(s.port),
    IMAP_SECURE: 'false',
    IMAP_USER: s.user,
    IMAP_PASSWORD: s.password,
    IMAP_MAILBOX: mailbox,
  };
}

/** Run `fn` with a logged-in ImapFlow client; always logs out. */
export async function withImap<T>(fn: (client: ImapFlow) => Promise<T>, options: ImapFlowOptions = testImapConfig()): Promise<T> {
  const client = new ImapFlow(options);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Create a folder of its own in the service account (`<prefix>-<uuid>`) and return its name:
 * each test gets an empty mailbox, and parallel runs never see each other's mail.
 */
export async function createTestMailbox(prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomUUID()}`;
  await withImap((c) => c.mailboxCreate(name));
  return name;
}

/** Append one raw RFC 5322 message to `mailbox`; returns its UID and the mailbox's UIDVALIDITY. */
export async function appendMessage(mailbox: string, raw: string | Buffer, flags: string[] = []): Promise<{ uid: number; uidValidity: bigint }> {
  const res = await withImap((c) => c.append(mailbox, raw, flags));
  if (!res || res.uid === undefined || res.uidValidity === undefined) throw new Error(`append to ${mailbox} returned no UID`);
  return { uid: res.uid, uidValidity: res.uidValidity };
}

/** Delete a mailbox made by createTestMailbox; a mailbox already gone is fine. */
export async function deleteMailbox(mailbox: string): Promise<void> {
  await withImap(async (c) => {
    const exists = (await c.list()).some((m) => m.path === mailbox);
    if (exists) await c.mailboxDelete(mailbox);
  });
}

/**
 * Deliver a raw message into a user's INBOX through Dovecot's LMTP, as a mail server would:
 * the way to inject "a coder's email arrived" without an MTA.
 */
export async function deliverViaLmtp(to: string | string[], raw: string | Buffer, from = 'sender@example.test'): Promise<void> {
  const s = testImapSettings();
  const transport = nodemailer.createTransport({ host: s.host, port: s.lmtpPort, lmtp: true, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from, to: Array.isArray(to) ? to : [to] }, raw });
  } finally {
    transport.close();
  }
}

export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between tries (default 50 ms). */
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

/**
 * Poll `predicate` until it returns a truthy value, and return that value. A predicate that
 * throws is retried until the deadline; the last error is the timeout error's cause.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Deliver a raw message to the service account over Dovecot's LMTP (Dovecot adds its
 * Return-Path and Received lines, as in production), then move it from the INBOX into a test's
 * own `mailbox`, found by its Message-ID (which must be unique), so parallel tests never see each
 * other's mail. `from` is the envelope sender (Dovecot's Return-Path).
 */
export async function deliverViaLmtpInto(mailbox: string, messageId: string, raw: string | Buffer, from?: string): Promise<void> {
  await deliverViaLmtp(testImapSettings().user, raw, from);
  await waitFor(
    () =>
      withImap(async (c) => {
        const lock = await c.getMailboxLock('INBOX');
        try {
          const found = await c.search({ header: { 'message-id': messageId } }, { uid: true });
          if (!found || found.length === 0) return null;
          await c.messageMove(found, mailbox, { uid: true });
          return true;
        } finally {
          lock.release();
        }
      }),
    { timeoutMs: 10_000, what: `${messageId} delivered over LMTP` },
  );
}
