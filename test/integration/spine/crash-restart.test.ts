import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMessage, Case } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { textToHtml } from '../../../src/drafts/render.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { makeMessageId } from '../../../src/shared/message-id.ts';
import { approveDraft } from '../../../src/review/review.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { rawMessage } from '../../support/casedesk.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase, dataKeyEnv } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, testImapEnv, waitFor } from '../../support/imap.ts';
import { createQueuePrefix, TEST_REDIS_URL } from '../../support/redis.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { freePort } from '../../support/ports.ts';

const QUESTIONS = 12;
const KILLS = 4;


/**
 * `casedesk start` is killed with SIGKILL at random moments while it ingests, parses, drafts and
 * sends, then restarted; in the end every question is exactly one case with one draft, and no
 * reply reached the SMTP receiver twice.
 */
describe.each(TEST_DRIVERS)('killing casedesk start at random moments on %s', (driver) => {
  let db: TestDatabase;
  let smtp: SmtpReceiver;
  let mailbox: string;
  let queue: ReturnType<typeof createQueuePrefix>;
  let env: Record<string, string>;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    rmSync(join(tmpdir(), `casedesk-crash-${driver}.log`), { force: true });
    db = await createTestDatabase(driver);
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('crash');
    queue = createQueuePrefix();
    env = {
      ...process.env as Record<string, string>,
      ...testImapEnv(mailbox),
      DATABASE_URL: db.db.driver === 'sqlite' ? db.db.path : db.db.url,
      ...dataKeyEnv(db.db),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queue.prefix,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      MAIL_FROM: 'answers@casedesk.test',
      IMAP_POLL_SECONDS: '1',
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '4',
      SEND_STUCK_AFTER_SECONDS: '3',
      INGEST_LOCK_TTL_SECONDS: '2',
      JOB_LOCK_SECONDS: '3',
    };
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await db?.drop();
    await smtp?.close();
    await queue?.cleanup();
    if (mailbox) await deleteMailbox(mailbox);
  });

  // The children's logs (ids and counts only) go to a file, for a failure's post-mortem.
  const logFile = join(tmpdir(), `casedesk-crash-${driver}.log`);
  const start = () => {
    const fd = openSync(logFile, 'a');
    child = spawn(process.execPath, ['bin/casedesk.js', 'start'], { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    return child;
  };
  const em = () => db.orm.em.fork();
  const counts = async () => [
    await em().count(InboundMessage, {}),
    await em().count(InboundMessage, { state: 'parsed' }),
    await em().count(Draft, {}),
    await em().count(Outbox, { state: 'sent' }),
    smtp.messages.length,
  ];
  const snapshot = async () => (await counts()).join('/');
  /**
   * Start, wait until the process visibly advances one stage (0 stored, 1 parsed, 2 drafted,
   * 3 sent), then SIGKILL it a random moment later: kills land inside every stage in turn.
   */
  const killMidWork = async (stage: number, maxDelayMs: number) => {
    const before = await counts();
    // A stage already finished cannot advance: aim at the first one still under way instead of
    // waiting a minute for progress that cannot come.
    const aim = [stage, 0, 1, 2, 3].find((s) => before[s] < QUESTIONS) ?? stage;
    const c = start();
    await waitFor(async () => (await counts())[aim] !== before[aim], { timeoutMs: 60_000, intervalMs: 20, what: 'progress before the kill' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * maxDelayMs)));
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
    return snapshot();
  };

  it('loses nothing and doubles nothing', { timeout: 300_000 }, async () => {
    await addSubscriber(em(), '@clinic.test', 'pro', { pro: 200 });
    for (let i = 0; i < QUESTIONS; i++) {
      await appendMessage(mailbox, rawMessage({
        From: `coder${i}@clinic.test`, To: 'answers@casedesk.test', Subject: `Question ${i}: 9921${i % 10} with 97110?`, 'Message-ID': `<crash-${driver}-${i}@clinic.test>`,
      }, `Can 9921${i % 10} be billed with 97110 x2 on the same day?`));
    }
    // Intake and drafting, killed at random moments.
    const progress: string[] = [];
    for (let k = 0; k < KILLS; k++) progress.push(await killMidWork(k % 3, 150));
    console.info(`[crash ${driver}] after each kill, stored/parsed/drafted/sent/received: ${progress.join(' ')}`);
    const c = start();
    await waitFor(async () => (await em().count(Draft, {})) >= QUESTIONS, { timeoutMs: 60_000, what: 'every question drafted' });
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));

    expect(await em().count(InboundMessage, {})).toBe(QUESTIONS);
    expect(await em().count(InboundMessage, { state: 'parsed' })).toBe(QUESTIONS);
    expect(await em().count(CaseMessage, { direction: 'in' })).toBe(QUESTIONS);
    expect(await em().count(Case, {})).toBe(QUESTIONS);
    expect(await em().count(Draft, {})).toBe(QUESTIONS);

    // Approve everything, then kill while sending.
    for (const d of await em().find(Draft, {})) {
      await approveDraft({ em: em(), makeMessageId: (key, caseId) => makeMessageId(key, 'casedesk.test', caseId), textToHtml }, { draftId: d.id, actor: 'test', bodyText: `Answer for case ${d.caseId}.` });
    }
    const sendProgress: string[] = [];
    for (let k = 0; k < 2; k++) sendProgress.push(await killMidWork(3, 60));
    console.info(`[crash ${driver}] after each kill, stored/parsed/drafted/sent/received: ${sendProgress.join(' ')}`);
    const last = start();
    await waitFor(async () => (await em().count(Outbox, { state: { $in: ['queued', 'sending'] } })) === 0, { timeoutMs: 240_000, intervalMs: 500, what: 'outbox drained' });
    // SIGTERM drains and exits cleanly.
    last.kill('SIGTERM');
    const exitCode = await new Promise((r) => last.once('exit', (code) => r(code)));
    expect(exitCode).toBe(0);

    const rows = await em().find(Outbox, {});
    console.info(`[crash ${driver}] outbox: ${rows.filter((r) => r.state === 'sent').length} sent, ${rows.filter((r) => r.state === 'unknown').length} unknown (flagged for a human), ${smtp.messages.length} received`);
    // One acknowledgement and one answer per question.
    expect(rows.filter((r) => r.kind === 'received')).toHaveLength(QUESTIONS);
    expect(rows.filter((r) => r.kind === 'answer')).toHaveLength(QUESTIONS);
    const received = new Map<string, number>();
    for (const m of smtp.messages) received.set(m.parsed!.messageId!, (received.get(m.parsed!.messageId!) ?? 0) + 1);
    for (const count of received.values()) expect(count).toBe(1);
    for (const row of rows) {
      expect(['sent', 'unknown']).toContain(row.state);
      if (row.state === 'sent') expect(received.get(row.messageId)).toBe(1);
    }
  });
});
