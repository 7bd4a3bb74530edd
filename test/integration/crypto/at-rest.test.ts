import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMessage } from '../../../src/cases/case.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { addCaseNote } from '../../../src/review/actions.ts';
import { CaseNote } from '../../../src/review/case-note.entity.ts';
import { ConfigError } from '../../../src/shared/errors.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { consultantClient } from '../../support/web-session.ts';
import { databaseBytes, found } from './search-bytes.ts';

/** `casedesk <args>` in a separate process (its own SQLite connection, as an operator's shell would be). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/casedesk.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, out, err }));
  });
}

// What a coder might write about a patient: made up, and unique enough to be found in a byte search.
const NAME = 'Zebulon Quillfeather';
const MRN = 'MRN QX-77341-ZZ';
const QUESTION = 'pterygoid whistlecraft flap';
const NOTE = 'called Quillbrook clinic re denial';
const ANSWER = 'For the Quillfeather whistlecraft visit append modifier 59';
const NEW_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/**
 * The done-when of issue 15 on each database: an end-to-end run with planted patient details
 * leaves none of them readable in the database (SQLite file and WAL, or pg_dump), while the
 * API, the CLI and the review page show them; `keys rotate` in the middle of the run loses
 * nothing and afterwards the old master key is not needed; `audit verify` passes on the run
 * and fails after one entry is edited by hand.
 */
describe.each(TEST_DRIVERS)('content at rest on %s', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  let env: Record<string, string>;
  let oldKey: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('rest');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port });
    oldKey = cd.db.db.dataKey!.key!;
    env = { DATABASE_URL: cd.db.db.driver === 'sqlite' ? cd.db.db.path : cd.db.db.url, DATA_KEY: oldKey, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  const target = () => (cd.db.db.driver === 'sqlite' ? { driver: 'sqlite' as const, path: cd.db.db.path } : { driver: 'postgresql' as const, url: cd.db.db.url, dbName: '' });

  const reader = consultantClient(() => cd.app.url, em, { email: 'reader@casedesk.test', password: 'rest-password-123' });

  async function ask(n: number): Promise<Draft> {
    await appendMessage(mailbox, rawMessage(
      { From: 'Pat Coder <pat@clinic.test>', To: 'answers@casedesk.test', Subject: `Denial for ${NAME} #${n}`, 'Message-ID': `<rest-${driver}-${n}@clinic.test>` },
      `Hello,\n\nPatient ${NAME}, ${MRN}, had a ${QUESTION} (try ${n}). Can 97530 be billed with 97140?\n\nThanks,\nPat`,
    ));
    return waitFor(async () => (await em().find(Draft, { state: 'pending' })).find((d) => d.subject.includes(`#${n}`)) ?? null, { timeoutMs: 30_000, what: `draft ${n}` });
  }

  it('stores nothing readable, shows everything, survives a key rotation mid-run, and keeps a verifiable audit chain', { timeout: 180_000 }, async () => {
    await addSubscriber(em(), 'pat@clinic.test', 'standard', cd.config.env.PLANS);
    const first = await ask(1);
    await addCaseNote(em(), { caseId: first.caseId, author: 'reader@casedesk.test', text: NOTE });
    const { cookie } = await reader.session();

    // The API, the review page and the CLI show the content as written.
    const shown = await (await fetch(`${cd.app.url}/api/drafts/${first.id}`, { headers: { cookie } })).json() as { question: { text: string }; case: { subject: string } };
    expect(shown.question.text).toContain(QUESTION);
    expect(shown.case.subject).toContain(NAME);
    const page = await (await fetch(`${cd.app.url}/cases/${first.caseId}`, { headers: { cookie } })).text();
    // The case page shows the identifier (highlighted by the PHI guard, so its parts may sit in separate elements).
    expect(page.replace(/<[^>]+>/g, '')).toContain(MRN);
    expect(page).toContain(NOTE);
    const show = await cli(['drafts', 'show', String(first.id), '--json'], env);
    expect(show.status, show.err).toBe(0);
    expect(show.out).toContain(QUESTION);

    // Rotate the master key while the service runs, then ask a second question.
    const rotated = await cli(['keys', 'rotate'], { ...env, DATA_KEY_NEW: NEW_KEY });
    expect(rotated.status, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/1 data keys re-wrapped/);
    const second = await ask(2);
    const approve = await fetch(`${cd.app.url}/api/drafts/${second.id}/approve`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': ((await (await fetch(`${cd.app.url}/api/me`, { headers: { cookie } })).json()) as { csrfToken: string }).csrfToken },
      // In place of the marker, or (a suggested answer: the question is recognised) ahead of it.
      body: JSON.stringify({ bodyText: second.bodyText.includes('[CONSULTANT ANSWER — write here]') ? second.bodyText.replace('[CONSULTANT ANSWER — write here]', ANSWER) : `${ANSWER}\n\n${second.bodyText}` }),
    });
    expect(approve.status, await approve.clone().text()).toBe(200);
    await waitFor(async () => (await em().count(Outbox, { draftId: second.id, state: 'sent' })) === 1 || null, { timeoutMs: 30_000, what: 'the reply sent' });
    expect(smtp.messages.some((m) => m.raw.includes('modifier 59'))).toBe(true);

    // Nothing planted is readable in the database file / dump.
    const bytes = databaseBytes(target());
    expect(bytes.length).toBeGreaterThan(10_000);
    // The search works: the coder's address stays readable by design (threading, quotas), and is found.
    expect(found(bytes, ['pat@clinic.test'])).toEqual(['pat@clinic.test']);
    expect(found(bytes, [NAME, MRN, QUESTION, NOTE, ANSWER, 'Quillfeather', 'whistlecraft'])).toEqual([]);

    // The audit chain of the run verifies.
    const verified = await cli(['audit', 'verify'], env);
    expect(verified.status, verified.err).toBe(0);
    expect(verified.out).toMatch(/audit chain intact/);

    // After the rotation the new key alone opens everything, and the old one alone does not.
    await cd.app.stop();
    const withNew = await openDatabase({ ...cd.db.db, dataKey: { key: NEW_KEY, nodeEnv: 'test' } });
    try {
      const e = withNew.em.fork();
      const drafts = await e.find(Draft, {}, { orderBy: { id: 'asc' } });
      expect(drafts.map((d) => d.subject).join(' ')).toContain(`${NAME} #2`);
      const messages = await e.find(CaseMessage, { direction: 'in' }, { populate: ['html'] });
      expect(messages.filter((m) => m.textNew.includes(QUESTION))).toHaveLength(2);
      const raws = await e.find(InboundMessage, {}, { populate: ['raw'] });
      expect(raws.filter((r) => r.raw?.toString('utf8').includes(MRN))).toHaveLength(2);
      expect((await e.findOneOrFail(CaseNote, { caseId: first.caseId })).text).toBe(NOTE);
      expect((await e.find(Outbox, {})).length).toBeGreaterThan(0);
    } finally {
      await withNew.close(true);
    }
    await expect(openDatabase({ ...cd.db.db, dataKey: { key: oldKey, nodeEnv: 'test' } })).rejects.toThrow(ConfigError);
    const status = await cli(['keys', 'status', '--json'], { ...env, DATA_KEY: NEW_KEY });
    const s = JSON.parse(status.out) as { masterKeys: { dataKeys: number[] }[]; plaintext: Record<string, number> };
    expect(s.masterKeys).toHaveLength(1);
    expect(s.plaintext).toEqual({});

    // One audit entry edited by hand (its trigger dropped first, as someone with the rights would): verify fails.
    const raw = await openDatabase({ ...cd.db.db, dataKey: { key: NEW_KEY, nodeEnv: 'test' } });
    try {
      const conn = raw.em.getConnection();
      if (driver === 'sqlite') await conn.execute('drop trigger audit_entry_no_update');
      else await conn.execute('alter table audit_entry disable trigger audit_entry_append_only');
      await conn.execute(`update audit_entry set actor = 'someone-else@casedesk.test' where seq = 2`);
    } finally {
      await raw.close(true);
    }
    const broken = await cli(['audit', 'verify'], { ...env, DATA_KEY: NEW_KEY });
    expect(broken.status).toBe(1);
    expect(broken.err).toMatch(/BROKEN \(hash\) at seq 2/);
  });
});
