import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { ClassificationCorrection } from '../../../src/cases/correction.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { AuditEntry } from '../../../src/review/audit.entity.ts';
import { correctClassification } from '../../../src/review/corrections.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { runCasedesk } from '../../support/cli.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';

const mail = (o: { id: string; from: string; subject: string; body: string; headers?: string[] }) =>
  [
    `From: ${o.from}`,
    'To: casedesk@example.test',
    `Subject: ${o.subject}`,
    `Message-ID: <${o.id}@clinic.test>`,
    'Date: Tue, 14 Jan 2025 09:00:00 +0000',
    ...(o.headers ?? []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ].join('\r\n');

/** Looks like a vacation reply to the classifier, but a person wrote it and asks a question. */
const LOOKS_AUTOMATIC = mail({
  id: 'looks-auto', from: 'Dana Biller <dana@clinic.test>', subject: 'Automatic reply: Out of office',
  headers: ['Auto-Submitted: auto-replied', 'X-Autoreply: yes'],
  body: 'I am out of the office until Monday.',
});
/** A question the classifier files, that a consultant says was automatic mail. */
const QUESTION = mail({ id: 'question', from: 'Pat Coder <pat@clinic.test>', subject: 'Can 97530 be billed with 97140?', body: 'Can 97530 and 97140 be billed together on DOS 01/14/2025?' });

/**
 * Consultants correct the mail classifier: "automatic" withdraws a filed question (its draft
 * rejected, its case closed, nothing mailed), "human" files an ignored message as a question
 * through the real parse stage; every correction is stored once, audited and exportable as a
 * labelled .eml with a manifest.
 */
describe.each(TEST_DRIVERS)('classifier corrections on %s', (driver) => {
  let cd: BootedCaseDesk;
  let mailbox: string;
  let out: string;
  const em = () => cd.app.orm.em.fork();
  const inboundOf = (messageId: string) => em().findOneOrFail(InboundMessage, { messageId: { $like: `%${messageId}%` } });

  beforeAll(async () => {
    mailbox = await createTestMailbox('corrections');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: 1, roles: ['ingest', 'parse', 'draft'] });
    out = mkdtempSync(join(tmpdir(), 'casedesk-labelled-'));
    await addSubscriber(em(), '@clinic.test', 'standard', cd.config.env.PLANS);
    await appendMessage(mailbox, LOOKS_AUTOMATIC);
    await appendMessage(mailbox, QUESTION);
    await waitFor(async () => (await em().count(InboundMessage, { state: { $in: ['parsed', 'ignored'] } })) === 2 && (await em().count(Draft, {})) === 1, {
      timeoutMs: 30_000, what: 'both messages filed and the question drafted',
    });
  });
  afterAll(async () => {
    await cd?.teardown();
    if (mailbox) await deleteMailbox(mailbox);
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('withdraws a question marked automatic: draft rejected, case closed, correction stored and audited once', async () => {
    const inbound = await inboundOf('question@clinic.test');
    expect(inbound.state).toBe('parsed');
    const result = await correctClassification(em(), { inboundId: inbound.id, label: 'automatic', actor: 'con@casedesk.test' });
    expect(result).toMatchObject({ already: false, refile: false, closedCaseId: inbound.caseId });
    expect(result.rejectedDraftIds).toHaveLength(1);
    expect((await em().findOneOrFail(Draft, { id: result.rejectedDraftIds[0] })).state).toBe('rejected');
    expect((await em().findOneOrFail(Case, { id: inbound.caseId! })).state).toBe('closed');

    const again = await correctClassification(em(), { inboundId: inbound.id, label: 'automatic', actor: 'other@casedesk.test' });
    expect(again.already).toBe(true);
    await expect(correctClassification(em(), { inboundId: inbound.id, label: 'human', actor: 'x@casedesk.test' })).rejects.toThrow(/already labelled automatic/);
    expect(await em().count(ClassificationCorrection, { inboundId: inbound.id })).toBe(1);
    expect(await em().count(AuditEntry, { action: 'message.correct' })).toBe(1);
  });

  it('files an ignored message marked human as a question through the parse stage', async () => {
    const inbound = await inboundOf('looks-auto@clinic.test');
    expect(inbound.state).toBe('ignored');
    const { status, out: printed } = await runCasedesk(cd.db, ['messages', 'correct', String(inbound.id), '--as', 'human', '--json'], { REDIS_URL: cd.config.env.REDIS_URL, QUEUE_PREFIX: cd.prefix });
    expect(status).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ inboundId: inbound.id, label: 'human', refile: true });
    const filed = await waitFor(async () => {
      const row = await em().findOneOrFail(InboundMessage, { id: inbound.id });
      return row.state === 'parsed' && row.caseId ? row : null;
    }, { timeoutMs: 20_000, what: 'the corrected message filed as a question' });
    expect(filed.reasons).toContain("a consultant marked it as a person's message");
    await waitFor(async () => (await em().count(Draft, { caseId: filed.caseId! })) === 1, { timeoutMs: 20_000, what: 'a draft for the corrected message' });
  });

  it('refuses a message that is neither filed nor ignored, and a bad label, with clear errors', async () => {
    const bad = await runCasedesk(cd.db, ['messages', 'correct', '1', '--as', 'robot']);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/--as must be one of human, automatic/);
    const missing = await runCasedesk(cd.db, ['messages', 'correct', '99999', '--as', 'human']);
    expect(missing.status).not.toBe(0);
    expect(missing.err).toMatch(/message 99999 not found/);
  });

  it('lists the corrections and exports them as labelled .eml files with a manifest', async () => {
    const list = await runCasedesk(cd.db, ['messages', 'corrections', '--json']);
    expect(list.status).toBe(0);
    const rows = JSON.parse(list.out) as { label: string; classifiedAs: string }[];
    expect(rows.map((r) => `${r.classifiedAs}->${r.label}`).sort()).toEqual(['automatic->human', 'human->automatic']);

    const res = await runCasedesk(cd.db, ['messages', 'export-labelled', '--out', out, '--json']);
    expect(res.status).toBe(0);
    const { written } = JSON.parse(res.out) as { written: { file: string; label: string }[] };
    expect(written.map((w) => w.label).sort()).toEqual(['automatic', 'human']);
    const human = written.find((w) => w.label === 'human')!;
    expect(readFileSync(join(out, human.file), 'utf8')).toBe(LOOKS_AUTOMATIC);
    const manifest = readFileSync(join(out, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
    expect(manifest[0]).toBe('path\texpect_answer\tclass\tnote');
    expect(manifest.slice(1).map((l) => l.split('\t').slice(0, 3).join(' ')).sort()).toEqual([
      `${human.file} yes corrected-human`,
      `${written.find((w) => w.label === 'automatic')!.file} no corrected-automatic`,
    ].sort());
    expect(await em().count(AuditEntry, { action: 'messages.export-labelled' })).toBe(1);
  });
});
