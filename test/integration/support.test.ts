import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendMessage,
  createTestMailbox,
  deleteMailbox,
  deliverViaLmtp,
  testImapConfig,
  waitFor,
  withImap,
} from '../support/imap.ts';
import { createQueuePrefix, TEST_REDIS_URL } from '../support/redis.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.ts';

// Proves the test support works against the real servers scripts/services.sh starts.

function rawMessage(messageId: string, to = 'casedesk@example.test'): string {
  return [
    'From: Coder <coder@example.test>',
    `To: ${to}`,
    'Subject: Can 97760 be billed with 97530?',
    `Message-ID: ${messageId}`,
    'Date: Fri, 27 Nov 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Same day, same patient.',
    '',
  ].join('\r\n');
}

describe('IMAP test support', () => {
  it('appends to a fresh mailbox and reads the message back', async () => {
    const mailbox = await createTestMailbox('support');
    try {
      const messageId = `<${randomUUID()}@example.test>`;
      const { uid, uidValidity } = await appendMessage(mailbox, rawMessage(messageId));
      expect(uid).toBe(1);
      expect(typeof uidValidity).toBe('bigint');

      const got = await withImap(async (c) => {
        const lock = await c.getMailboxLock(mailbox);
        try {
          expect(c.mailbox && c.mailbox.exists).toBe(1);
          const msg = await c.fetchOne(String(uid), { source: true }, { uid: true });
          return msg ? simpleParser(msg.source!) : null;
        } finally {
          lock.release();
        }
      });
      expect(got?.messageId).toBe(messageId);
      expect(got?.subject).toBe('Can 97760 be billed with 97530?');
    } finally {
      await deleteMailbox(mailbox);
    }
    const left = await withImap((c) => c.list());
    expect(left.map((m) => m.path)).not.toContain(mailbox);
  });

  it('delivers over LMTP into the INBOX', async () => {
    const messageId = `<${randomUUID()}@example.test>`;
    const coder = testImapConfig({ user: 'coder@example.test', pass: 'coder-pw' });
    await deliverViaLmtp('coder@example.test', rawMessage(messageId, 'coder@example.test'));
    const uids = await waitFor(
      () =>
        withImap(async (c) => {
          const lock = await c.getMailboxLock('INBOX');
          try {
            const found = await c.search({ header: { 'message-id': messageId } }, { uid: true });
            if (found && found.length > 0) {
              await c.messageDelete(found, { uid: true });
              return found;
            }
            return null;
          } finally {
            lock.release();
          }
        }, coder),
      { timeoutMs: 5000, what: 'LMTP message in INBOX' },
    );
    expect(uids).toHaveLength(1);
  });
});

describe('waitFor', () => {
  it('returns the first truthy value and times out otherwise', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'never' })).rejects.toThrow(/never not met within 30 ms/);
  });
});

describe('SMTP receiver', () => {
  let rx: SmtpReceiver;
  beforeAll(async () => {
    rx = await startSmtpReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });
  const send = (messageId: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: rx.port, secure: false, ignoreTLS: true })
      .sendMail({
        from: 'casedesk@example.test',
        to: 'coder@example.test',
        subject: 'Re: Can 97760 be billed with 97530?',
        text: 'Answer.',
        messageId,
        inReplyTo: '<q-1@example.test>',
        references: ['<q-1@example.test>'],
      });

  it('receives a message with its envelope, raw source and parsed form', async () => {
    const info = await send('<reply-1@example.test>');
    expect(info.response).toMatch(/^250 /);
    const [m] = await rx.waitForMessages(1);
    expect(m.envelope.mailFrom && m.envelope.mailFrom.address).toBe('casedesk@example.test');
    expect(m.envelope.rcptTo.map((r) => r.address)).toEqual(['coder@example.test']);
    expect(m.raw.toString()).toContain('In-Reply-To: <q-1@example.test>');
    expect(m.parsed?.messageId).toBe('<reply-1@example.test>');
    expect(m.parsed?.inReplyTo).toBe('<q-1@example.test>');
  });

  it('simulates a transient 450 and a permanent 550, then accepts again', async () => {
    const before = rx.messages.length;
    rx.setFailure({ code: 450, message: 'Mailbox busy' });
    await expect(send('<reply-2@example.test>')).rejects.toMatchObject({ responseCode: 450 });
    rx.setFailure({ code: 550, message: 'No such user', at: 'rcpt' });
    await expect(send('<reply-3@example.test>')).rejects.toMatchObject({ responseCode: 550 });
    rx.setFailure({ code: 451, times: 1 });
    await expect(send('<reply-4@example.test>')).rejects.toMatchObject({ responseCode: 451 });
    await expect(send('<reply-4@example.test>')).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
    rx.setFailure(null);
    await send('<reply-5@example.test>');
    expect(rx.messages.length).toBe(before + 2);
    expect(rx.rejected).toBe(3);
    expect(rx.messages.at(-1)?.parsed?.messageId).toBe('<reply-5@example.test>');
  });
});

describe('Redis test support', () => {
  it('gives a unique prefix and deletes only its keys', async () => {
    const a = createQueuePrefix();
    const b = createQueuePrefix();
    expect(a.prefix).toMatch(/^test-[0-9a-f-]{36}$/);
    expect(a.prefix).not.toBe(b.prefix);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.set(`${a.prefix}:parse:1`, 'x');
      await redis.set(`${a.prefix}:draft:meta`, 'y');
      await redis.set(`${b.prefix}:parse:1`, 'z');
      expect(await a.cleanup()).toBe(2);
      expect(await redis.exists(`${a.prefix}:parse:1`, `${a.prefix}:draft:meta`)).toBe(0);
      expect(await redis.get(`${b.prefix}:parse:1`)).toBe('z');
      expect(await b.cleanup()).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
