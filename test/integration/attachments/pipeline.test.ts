import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attachment } from '../../../src/attachments/attachment.entity.ts';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { AuditEntry } from '../../../src/review/audit.entity.ts';
import { addUser } from '../../../src/review/users.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { eicar } from '../../fixtures/attachments/make-files.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { runCasedesk } from '../../support/cli.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { createTestMailbox, deleteMailbox, deliverViaLmtpInto, testImapSettings, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { pingClamd } from '../../../src/attachments/clamd-client.ts';
import { testClamdAddress } from './clamd-settings.ts';
import { withAttachments } from './mail.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/attachments');
const MB = 1024 * 1024;

/**
 * Deliver over LMTP as the clinic's server would, into this test's own mailbox (moved there from
 * the service INBOX by Message-ID), so files running in parallel never take each other's mail.
 */
async function deliverInto(mailbox: string, raw: string): Promise<void> {
  const messageId = /^Message-ID: (<[^>\r\n]+>)/im.exec(raw)![1];
  await deliverViaLmtpInto(mailbox, messageId, raw, 'pat@clinic.test');
}

describe.each(TEST_DRIVERS)('attachments end to end on %s: LMTP → parse → scan (clamd) → draft, web and CLI', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox = '';
  let session: { cookie: string } | null = null;
  const out = mkdtempSync(join(tmpdir(), 'casedesk-att-'));
  const em = () => cd.app.orm.em.fork();
  const to = testImapSettings().user;

  beforeAll(async () => {
    // The real scanner is part of the test: without it the test fails (scripts/services.sh start).
    if (!(await pingClamd({ address: testClamdAddress(), timeoutMs: 5_000 }))) throw new Error('clamd does not answer: start it with scripts/services.sh start (CLAMD_PORT)');
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('attachments');
    // The 20 MB attachment arrives in a ~27 MB message: the message cap is raised, the attachment cap is the default 15 MB.
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, env: { MAX_MESSAGE_BYTES: String(40 * MB) } });
    await addSubscriber(em(), '@clinic.test', 'pro', cd.config.env.PLANS);
    await addUser(em(), { email: 'lee@casedesk.test', role: 'consultant', password: 'attachments-pw-123' });
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
    rmSync(out, { recursive: true, force: true });
  });

  const login = async () => {
    const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const form = await fetch(`${cd.app.url}/login`);
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
    const res = await fetch(`${cd.app.url}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
      body: new URLSearchParams({ email: 'lee@casedesk.test', password: 'attachments-pw-123', _csrf: token }),
    });
    return { cookie: cookieOf(res) };
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    session ??= await login();
    return fetch(`${cd.app.url}${path}`, { redirect: 'manual', headers: { cookie: session.cookie, accept: 'text/html', ...headers } });
  };
  const cli = (args: string[]) => runCasedesk(cd.db, args, { REDIS_URL: cd.config.env.REDIS_URL, QUEUE_PREFIX: cd.prefix, LOG_LEVEL: 'silent' });

  it('a PDF denial letter: read, and its codes are in the draft’s evidence marked as from the attachment', async () => {
    const pdf = readFileSync(resolve(FIXTURES, 'denial-letter.pdf'));
    await deliverInto(mailbox, withAttachments(
      { From: 'Pat Coder <pat@clinic.test>', To: to, Subject: 'Why was this claim denied?', 'Message-ID': `<att-pdf-${driver}-${Date.now()}@clinic.test>` },
      'Hello,\n\nThe payer denied the claim in the attached letter. What should we change before we appeal?\n\nPat',
      [{ name: 'denial-letter.pdf', type: 'application/pdf', content: pdf }],
    ));

    // Subjects are encrypted at rest: found in memory, not by a query on their value.
    const draft = await waitFor(async () => (await em().find(Draft, {})).find((d) => d.subject.includes('claim denied')) ?? null, { timeoutMs: 60_000, what: 'a draft for the PDF question' });
    const attachment = await em().findOneOrFail(Attachment, { caseMessageId: draft.caseMessageId }, { populate: ['text'] });
    expect(attachment).toMatchObject({ name: 'denial-letter.pdf', sniffedType: 'application/pdf', state: 'clean', textStatus: 'text', size: pdf.length });
    expect(attachment.text).toContain('99213');
    // The email names no code; the letter does: every code of the draft comes from it, and says so.
    expect(draft.codes.cpt).toEqual(expect.arrayContaining(['99213', '20610']));
    expect(draft.codes.icd10cm).toContain('M17.11');
    const codes = (draft.evidence as { codes: { code: string; sources: string[] }[] }).codes;
    for (const code of ['99213', '20610', 'M17.11']) {
      expect(codes.find((c) => c.code === code)?.sources, code).toEqual(['attachment:denial-letter.pdf']);
    }

    // The case page lists it with its text and the codes' source; the PDF opens inline under CSP sandbox.
    const page = await (await get(`/cases/${draft.caseId}`)).text();
    expect(page).toContain('denial-letter.pdf');
    expect(page).toContain('scanned, clean');
    expect(page).toContain('attachment denial-letter.pdf');
    const opened = await get(`/attachments/${attachment.id}`);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/pdf');
    expect(opened.headers.get('content-security-policy')).toBe('sandbox');
    expect(opened.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await opened.arrayBuffer()).equals(pdf)).toBe(true);
    expect(await em().count(AuditEntry, { action: 'attachment.download', caseId: draft.caseId })).toBe(1);
    // Without a session: nothing.
    const anonymous = await fetch(`${cd.app.url}/attachments/${attachment.id}`, { redirect: 'manual' });
    expect([302, 303, 401]).toContain(anonymous.status);

    // The CLI saves the clean copy.
    const saved = join(out, 'letter.pdf');
    const got = await cli(['attachments', 'get', String(attachment.id), '--out', saved]);
    expect(got.status, got.err).toBe(0);
    expect(readFileSync(saved).equals(pdf)).toBe(true);
  });

  it('an EICAR attachment is quarantined with its signature, the case flagged, the download refused (web and CLI)', async () => {
    await deliverInto(mailbox, withAttachments(
      { From: 'pat@clinic.test', To: to, Subject: 'Remittance file for 97110', 'Message-ID': `<att-eicar-${driver}-${Date.now()}@clinic.test>` },
      'Attached is the remittance for 97110 x4.',
      [{ name: 'remit.txt', type: 'text/plain', content: eicar() }],
    ));

    const infected = await waitFor(async () => em().findOne(Attachment, { name: 'remit.txt', state: { $ne: 'pending-scan' } }), { timeoutMs: 60_000, what: 'the EICAR attachment scanned' });
    expect(infected.state).toBe('infected');
    expect(infected.signature).toMatch(/eicar/i);
    const caseRow = await em().findOneOrFail(Case, { id: infected.caseId });
    expect(caseRow.flag).toContain(infected.signature!);
    // The question is still drafted (from its text); the quarantined file is not read.
    const draft = await waitFor(async () => em().findOne(Draft, { caseMessageId: infected.caseMessageId }), { timeoutMs: 30_000, what: 'the draft after the scan' });
    expect(draft.codes.cpt).toEqual(['97110']);
    expect(infected.textStatus).toBe('none');

    for (const path of [`/attachments/${infected.id}`, `/attachments/${infected.id}/download`]) {
      const refused = await get(path);
      expect(refused.status, path).toBe(409);
      expect(await refused.text()).toContain('quarantined');
    }
    const page = await (await get(`/cases/${infected.caseId}`)).text();
    expect(page).toContain('INFECTED: quarantined');
    expect(page).toContain(infected.signature!);
    expect(page).toContain('Malware found in an attachment');
    expect(page).not.toContain(`href="/attachments/${infected.id}`);

    const target = join(out, 'remit.txt');
    const got = await cli(['attachments', 'get', String(infected.id), '--out', target]);
    expect(got.status).not.toBe(0);
    expect(got.err).toMatch(/virus|quarantined/);
    expect(existsSync(target)).toBe(false);
    const listed = await cli(['attachments', 'list', `CD-${infected.caseId}`, '--json']);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id: infected.id, state: 'infected', signature: infected.signature })]);
    expect(await em().count(AuditEntry, { action: 'attachment.refused' })).toBe(3);
  });

  it('a 20 MB attachment is listed as over the limit, not stored, and the message is still filed', async () => {
    const big = Buffer.alloc(20 * MB, 0x41);
    await deliverInto(mailbox, withAttachments(
      { From: 'pat@clinic.test', To: to, Subject: 'Full claim export', 'Message-ID': `<att-big-${driver}-${Date.now()}@clinic.test>` },
      'The whole export is attached; the question is about line 3, 99214.',
      [{ name: 'export.txt', type: 'text/plain', content: big }, { name: 'note.txt', type: 'text/plain', content: Buffer.from('Line 3: 99214 with modifier 25\n') }],
    ));

    const message = await waitFor(async () => (await em().find(CaseMessage, {})).find((m) => m.subject === 'Full claim export') ?? null, { timeoutMs: 90_000, what: 'the big message filed' });
    const listed = await cli(['attachments', 'list', `message:${message.id}`, '--json']);
    expect(listed.status, listed.err).toBe(0);
    const rows = JSON.parse(listed.out) as { name: string; state: string; size: number; reason: string | null }[];
    expect(rows[0]).toMatchObject({ name: 'export.txt', state: 'over-limit', size: 20 * MB });
    expect(rows[0].reason).toContain('over the 15 MB limit');
    await waitFor(async () => (await em().findOne(Attachment, { caseMessageId: message.id, name: 'note.txt' }))?.state === 'clean', { timeoutMs: 30_000, what: 'the small attachment scanned' });
    const refused = await cli(['attachments', 'get', String((await em().findOneOrFail(Attachment, { caseMessageId: message.id, name: 'export.txt' })).id), '--out', join(out, 'export.txt')]);
    expect(refused.status).not.toBe(0);
    expect(refused.err).toContain('not stored');
  });
});
