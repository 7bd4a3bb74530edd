import pg from 'pg';
import { parseConfig } from '../../../config/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { textToHtml } from '../../../src/drafts/render.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { approveDraft } from '../../../src/review/review.ts';
import { confirmSentByCopy, sendOutbox } from '../../../src/send/send-stage.ts';
import { createSmtpSender } from '../../../src/send/smtp.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { hashMessageId, makeMessageId, verifyOwnMessageId } from '../../../src/shared/message-id.ts';
import { settleLostSends, sweepUnfinishedRetrying } from '../../../workers/sweep.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, testImapEnv, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';

/**
 * SENT_COPY=bcc with real Dovecot and an SMTP receiver: every reply carries a BCC to the
 * service mailbox; the copy, delivered back (the test plays the MTA), confirms an `unknown`
 * send and is recorded as an own copy, never as a question. Also: lost `sending` rows become
 * `unknown`, and a database failure after the SMTP server took the mail is retried in process.
 */
describe.each(TEST_DRIVERS)('sent copies and unknown sends on %s', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('copy');
    // The mailbox is ours (IMAP_USER is MAIL_FROM): SENT_COPY defaults to bcc.
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, env: { MAIL_FROM: testImapEnv(mailbox).IMAP_USER!, SEND_STUCK_AFTER_SECONDS: '2' } });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  const approved = async (to: string, enqueue = true, tagged = true) => {
    const e = em();
    const c = e.create(Case, { subject: 'Q', requesterEmail: to });
    await e.flush();
    const id = `<q-${driver}-${c.id}@clinic.test>`;
    const q = e.create(CaseMessage, { caseId: c.id, direction: 'in', messageId: id, messageIdHash: hashMessageId(id), fromAddress: to, subject: 'Q', textNew: 'x', textFull: 'x' });
    await e.flush();
    const d = e.create(Draft, { caseId: c.id, caseMessageId: q.id, kind: 'answer', subject: `Re: Q [CD-${c.id}]`, bodyText: 'The answer.', bodyHtml: '<p>The answer.</p>' });
    await e.flush();
    const { outboxId } = await approveDraft({ em: em(), makeMessageId: (k, caseId) => makeMessageId(k, cd.config.messageIdDomain, caseId, tagged ? cd.config.messageIdKeys()[0] : null), textToHtml }, { draftId: d.id, actor: 'test' });
    if (enqueue) await cd.app.queues.enqueueSend(outboxId);
    return { caseId: c.id, draftId: d.id, outboxId };
  };

  it('config: bcc by default when the mailbox is ours, off otherwise and when SENT_COPY=off', () => {
    expect(cd.config.sentCopyTo).toBe(cd.config.env.MAIL_FROM);
    const base = { MAIL_FROM: 'answers@casedesk.test' };
    expect(parseConfig({ ...base, IMAP_USER: 'someone-else@casedesk.test' }).sentCopyTo).toBeNull();
    expect(parseConfig({ ...base, IMAP_USER: 'Answers@casedesk.test', SENT_COPY: 'off' }).sentCopyTo).toBeNull();
    expect(parseConfig({ ...base, IMAP_USER: 'someone-else@casedesk.test', SENT_COPY: 'bcc' }).sentCopyTo).toBe('answers@casedesk.test');
  });

  it('an unknown reply whose copy comes back becomes sent; the copy is an own copy, not a question', async () => {
    const { caseId, draftId, outboxId } = await approved('coder@clinic.test');
    const outbox = await waitFor(async () => {
      const row = await em().findOne(Outbox, { id: outboxId });
      return row?.state === 'sent' ? row : null;
    }, { timeoutMs: 30_000, what: 'reply sent' });
    const mail = smtp.messages.find((m) => m.parsed?.messageId === outbox.messageId)!;
    expect(mail.envelope.rcptTo.map((r) => r.address).sort()).toEqual(['coder@clinic.test', cd.config.env.MAIL_FROM].sort());
    expect(mail.parsed?.headers.get('bcc')).toBeUndefined();

    // As if the process had died before recording the send: the row is `unknown`, the draft approved.
    await em().nativeUpdate(Outbox, { id: outboxId }, { state: 'unknown' });
    await em().nativeUpdate(Draft, { id: draftId }, { state: 'approved' });
    await em().nativeDelete(CaseMessage, { outboxId });
    await appendMessage(mailbox, mail.raw);
    const copy = await waitFor(async () => {
      const row = await em().findOne(InboundMessage, { messageId: outbox.messageId });
      return row && row.state !== 'stored' ? row : null;
    }, { timeoutMs: 30_000, what: 'copy ingested' });
    expect(copy.state).toBe('ignored');
    expect(copy.kind).toBe('own-copy');
    expect(copy.caseMessageId ?? null).toBeNull();
    expect((await em().findOneOrFail(Outbox, { id: outboxId })).state).toBe('sent');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('sent');
    const messages = await em().find(CaseMessage, { caseId }, { orderBy: { id: 'asc' } });
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect((await em().findOneOrFail(Case, { id: caseId })).state).toBe('answered');
  });

  it('the copy is filed before the send worker records the send: one reply, sent once, confirmed by the copy', async () => {
    const { caseId, draftId, outboxId } = await approved('early@clinic.test', false);
    const smtpSender = createSmtpSender({ host: '127.0.0.1', port: smtp.port, secure: false, rejectUnauthorized: false });
    let copyState: string | undefined;
    try {
      const result = await sendOutbox(
        {
          em: em(), log: silentLogger, from: { name: 'CaseDesk', address: cd.config.env.MAIL_FROM }, sentCopyTo: cd.config.sentCopyTo,
          // The MTA delivers the BCC copy and ingest files it while the worker still waits for the server's answer.
          send: async (mail) => {
            const r = await smtpSender.send(mail);
            const raw = await waitFor(async () => smtp.messages.find((m) => m.parsed?.messageId === mail.messageId)?.raw ?? null, { timeoutMs: 10_000, what: 'mail at the receiver' });
            await appendMessage(mailbox, raw);
            const copy = await waitFor(async () => {
              const row = await em().findOne(InboundMessage, { messageId: mail.messageId });
              return row && row.state !== 'stored' ? row : null;
            }, { timeoutMs: 30_000, what: 'copy ingested' });
            copyState = `${copy.state}/${copy.kind}/${copy.reasons.join('|')}`;
            return r;
          },
        },
        { outboxId },
      );
      expect(result.outcome).toBe('sent');
    } finally {
      smtpSender.close();
    }
    expect(copyState).toBe(`ignored/own-copy/own copy of outbox ${outboxId}|confirmed the send`);
    const row = await em().findOneOrFail(Outbox, { id: outboxId });
    expect(row.state).toBe('sent');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('sent');
    expect((await em().find(CaseMessage, { caseId }, { orderBy: { id: 'asc' } })).map((m) => m.direction)).toEqual(['in', 'out']);
    expect(smtp.messages.filter((m) => m.parsed?.messageId === row.messageId)).toHaveLength(1);
  });

  it('a send that failed after the server took it, confirmed by its copy meanwhile, is not queued again', async () => {
    const { draftId, outboxId } = await approved('timeout@clinic.test', false);
    const from = { name: 'CaseDesk', address: cd.config.env.MAIL_FROM };
    const result = await sendOutbox(
      {
        em: em(), log: silentLogger, from,
        send: async (mail) => {
          // The server took it and the copy came back; then the connection broke before the answer.
          expect(await confirmSentByCopy(em(), from, mail.messageId)).toMatchObject({ outboxId, confirmed: true });
          throw Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' });
        },
      },
      { outboxId },
    );
    expect(result).toEqual({ outcome: 'skipped', state: 'settled meanwhile' });
    const row = await em().findOneOrFail(Outbox, { id: outboxId });
    expect(row.state).toBe('sent');
    expect(row.smtpResponse).toBe('confirmed by the copy that came back to the service mailbox (was sending)');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('sent');
    // A second copy (an MTA retry) confirms nothing more.
    expect(await confirmSentByCopy(em(), from, row.messageId)).toMatchObject({ outboxId, confirmed: false });
  });

  const ingested = (messageId: string, after = 0) => waitFor(async () => {
    const row = await em().findOne(InboundMessage, { messageId, id: { $gt: after } }, { orderBy: { id: 'desc' } });
    return row && row.state !== 'stored' ? row : null;
  }, { timeoutMs: 30_000, what: 'message ingested' });
  const lastInboundId = async () => (await em().findOne(InboundMessage, { id: { $gt: 0 } }, { orderBy: { id: 'desc' } }))?.id ?? 0;

  it('a forged copy (our id form, a tag that does not verify) is quarantined and confirms nothing', async () => {
    const { draftId, outboxId } = await approved('forged@clinic.test', false);
    const row = await em().findOneOrFail(Outbox, { id: outboxId });
    expect(verifyOwnMessageId(row.messageId, cd.config.messageIdKeys())).toBe('tagged');
    await em().nativeUpdate(Outbox, { id: outboxId }, { state: 'unknown' });
    // The attacker knows the id's form and the key hash (guessable from the row's key), not the tag.
    const forgedId = row.messageId.replace(/\.([0-9a-f]{20})@/, (_, tag: string) => `.${[...tag].reverse().join('')}@`);
    expect(forgedId).not.toBe(row.messageId);
    const untaggedId = row.messageId.replace(/\.[0-9a-f]{20}@/, '@');
    const before = await lastInboundId();
    for (const id of [forgedId, untaggedId]) {
      await appendMessage(mailbox, Buffer.from(`From: CaseDesk <${cd.config.env.MAIL_FROM}>\r\nTo: forged@clinic.test\r\nSubject: Re: Q\r\nMessage-ID: ${id}\r\nDate: ${new Date().toUTCString()}\r\n\r\nThe answer.\r\n`));
    }
    const forged = await ingested(forgedId, before);
    expect(forged.state).toBe('quarantined');
    expect(forged.reasons).toEqual(['forged-own-copy']);
    // The untagged form matches no row (the row's id is tagged): an ordinary own loop, ignored.
    const untagged = await ingested(untaggedId, before);
    expect(untagged.state).toBe('ignored');
    expect(untagged.kind).toBe('own-loop');
    expect((await em().findOneOrFail(Outbox, { id: outboxId })).state).toBe('unknown');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('approved');
  });

  it('an id issued before tags: its copy is recognised but confirms nothing; replies to it still thread', async () => {
    const { caseId, outboxId } = await approved('legacy@clinic.test', false, false);
    const row = await em().findOneOrFail(Outbox, { id: outboxId });
    expect(verifyOwnMessageId(row.messageId, cd.config.messageIdKeys())).toBe('untagged');
    // Sent under the old form, recorded (the outbound case message carries the old id) ...
    await em().nativeUpdate(Outbox, { id: outboxId }, { state: 'unknown' });
    const before = await lastInboundId();
    await appendMessage(mailbox, Buffer.from(`From: CaseDesk <${cd.config.env.MAIL_FROM}>\r\nTo: legacy@clinic.test\r\nSubject: Re: Q\r\nMessage-ID: ${row.messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\nThe answer.\r\n`));
    const copy = await ingested(row.messageId, before);
    expect(copy.state).toBe('ignored');
    expect(copy.kind).toBe('own-copy');
    expect(copy.reasons).toEqual([`own copy of outbox ${outboxId}`, 'an untagged Message-ID confirms no send']);
    expect((await em().findOneOrFail(Outbox, { id: outboxId })).state).toBe('unknown');
    // ... a human marks it sent; the coder's answer to the old id threads into its case.
    await em().nativeUpdate(Outbox, { id: outboxId }, { state: 'sent' });
    const e = em();
    e.create(CaseMessage, { caseId, direction: 'out', outboxId, messageId: row.messageId, messageIdHash: hashMessageId(row.messageId), fromAddress: cd.config.env.MAIL_FROM, subject: 'Re: Q', textNew: 'A.', textFull: 'A.' });
    await e.flush();
    const replyId = `<reply-${driver}-${caseId}@clinic.test>`;
    await appendMessage(mailbox, Buffer.from(`From: Coder <legacy@clinic.test>\r\nTo: ${cd.config.env.MAIL_FROM}\r\nSubject: Re: Q\r\nMessage-ID: ${replyId}\r\nIn-Reply-To: ${row.messageId}\r\nReferences: ${row.messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\nThanks, and what about the modifier for the second visit?\r\n`));
    const reply = await ingested(replyId);
    expect(reply.state).toBe('parsed');
    expect(reply.caseId).toBe(caseId);
  });

  it('a sending row whose job is gone becomes unknown; one whose job is active is left alone', async () => {
    const lost = await approved('lost@clinic.test', false);
    const old = new Date(Date.now() - 60_000);
    await em().nativeUpdate(Outbox, { id: lost.outboxId }, { state: 'sending', updatedAt: old });
    const settled = await settleLostSends(em(), async () => false, 2_000);
    expect(settled).toContain(lost.outboxId);
    expect((await em().findOneOrFail(Outbox, { id: lost.outboxId })).state).toBe('unknown');

    const busy = await approved('busy@clinic.test', false);
    await em().nativeUpdate(Outbox, { id: busy.outboxId }, { state: 'sending', updatedAt: old });
    expect(await settleLostSends(em(), async (id) => id === busy.outboxId, 2_000)).not.toContain(busy.outboxId);
    expect((await em().findOneOrFail(Outbox, { id: busy.outboxId })).state).toBe('sending');
  });

  it('the start-up sweep survives a failure (Redis restarting, a dropped connection): retried, the queued row is sent again', async () => {
    const { outboxId } = await approved('sweep@clinic.test', false);
    const enqueued: number[] = [];
    let failures = 0;
    const enqueuer = new Proxy(cd.app.queues, {
      get: (target, prop, receiver) => prop === 'enqueueSend'
        ? async (id: number) => {
          if (failures++ < 2) throw Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' });
          enqueued.push(id);
        }
        : Reflect.get(target, prop, receiver),
    });
    let warnings = 0;
    const log = Object.assign(Object.create(silentLogger), { warn: () => void warnings++ }) as typeof silentLogger;
    const swept = await sweepUnfinishedRetrying(() => em(), enqueuer, log, [10, 10, 10]);
    expect(warnings).toBe(2);
    expect(enqueued).toContain(outboxId);
    expect(swept.send).toBeGreaterThanOrEqual(1);
    // Failing for good: the error goes up after the last pause.
    failures = -100;
    await expect(sweepUnfinishedRetrying(() => em(), enqueuer, log, [10])).rejects.toThrow('Connection is closed.');
    await em().nativeUpdate(Outbox, { id: outboxId }, { state: 'failed' });
  });

  it.runIf(driver === 'postgresql')('a PostgreSQL connection killed after the SMTP server took the mail: the send is recorded, not unknown', async () => {
    const { outboxId, draftId } = await approved('killed@clinic.test', false);
    const smtpSender = createSmtpSender({ host: '127.0.0.1', port: smtp.port, secure: false, rejectUnauthorized: false });
    const dbName = new URL((cd.db.db as { url: string }).url).pathname.slice(1);
    // For a moment after the SMTP server answered, the database takes no new connection and every
    // open one is killed: the mark-sent transaction meets a dead connection (as in the chaos run),
    // every time (killing alone raced a fresh pool connection, and the first attempt sometimes won).
    const adminUrl = new URL((cd.db.db as { url: string }).url);
    adminUrl.pathname = '/postgres'; // a database cannot refuse connections to itself from its own session
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    const allow = (on: boolean) => admin.query(`alter database "${dbName}" with allow_connections ${on}`);
    let reopened: Promise<unknown> = Promise.resolve();
    const closeFor = async (ms: number) => {
      await allow(false);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
      reopened = new Promise((resolve) => setTimeout(resolve, ms)).then(() => allow(true));
    };
    let warnings = 0;
    const log = Object.assign(Object.create(silentLogger), { warn: () => void warnings++ }) as typeof silentLogger;
    try {
      const result = await sendOutbox(
        { em: em(), log, from: { name: 'CaseDesk', address: cd.config.env.MAIL_FROM }, recordRetryMs: [200, 500, 1_000, 2_000], send: async (mail) => { const r = await smtpSender.send(mail); await closeFor(600); return r; } },
        { outboxId },
      );
      expect(result.outcome).toBe('sent');
    } finally {
      smtpSender.close();
      await reopened;
      await allow(true);
      await admin.end();
    }
    expect(warnings).toBeGreaterThan(0); // the first attempt did fail
    expect((await em().findOneOrFail(Outbox, { id: outboxId })).state).toBe('sent');
    expect((await em().findOneOrFail(Draft, { id: draftId })).state).toBe('sent');
  });
});
