import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCodeFile } from '../../../src/codes/index.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { addUser } from '../../../src/review/users.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { HAVE_CHROMIUM, launchChromium } from '../../support/chromium.ts';

/** README screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1); otherwise they go to a temp folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : `${mkdtempSync(join(tmpdir(), 'casedesk-shots-'))}/`;
const PLACEHOLDER = '[CONSULTANT ANSWER — write here]';
const FIXTURES = fileURLToPath(new URL('../../fixtures/codes/', import.meta.url));

/** A question with an HTML part that tries to run script: a <script>, an onerror image, a remote image. */
function hostileQuestion(n: number, from: string, subject: string, text: string): string {
  const boundary = `b-${n}-casedesk`;
  const html = `<div><p>${text.replace(/\n/g, '<br>')}</p><script>window.__pwned = 'script'; alert('script')</script>`
    + `<img src="x" onerror="window.__pwned = 'onerror'; alert('onerror')"><img src="https://tracker.example/pixel.gif" alt="logo">`
    + `<p>Policy: <a href="https://www.cms.gov/medicare/coding-billing/ncci-medicare">NCCI manual</a></p></div>`;
  return rawMessage({
    From: from, To: 'answers@casedesk.test', Subject: subject, 'Message-ID': `<browser-${n}-${Date.now()}@clinic.test>`,
    'Content-Type': `multipart/alternative; boundary="${boundary}"`,
  }, [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', text, `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', html, `--${boundary}--`, ''].join('\n'));
}

describe.skipIf(!HAVE_CHROMIUM)('review page in real Chromium (skipped: /usr/bin/chromium is missing; apt-get install chromium)', () => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('browser');
    cd = await bootCaseDesk({ driver: 'sqlite', mailbox, smtpPort: smtp.port });
    await addUser(cd.app.orm.em.fork(), { email: 'dana@casedesk.test', role: 'admin', password: 'browser-test-password' });
    await addUser(cd.app.orm.em.fork(), { email: 'lee@casedesk.test', role: 'consultant', password: 'browser-test-password' });
    // Only subscribers get drafts (others get a notice): three subscriptions on different plans.
    await addSubscriber(cd.app.orm.em.fork(), '@clinic.test', 'pro', cd.config.env.PLANS);
    await addSubscriber(cd.app.orm.em.fork(), 'sam@ortho.test', 'standard', cd.config.env.PLANS);
    await addSubscriber(cd.app.orm.em.fork(), '@pt.test', 'trial', cd.config.env.PLANS);
    // NCCI and MUE fixtures (codes only), so the evidence table has an edit and a limit to show.
    await importCodeFile(cd.app.orm, { system: 'ncci', file: `${FIXTURES}ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    await importCodeFile(cd.app.orm, { system: 'mue', file: `${FIXTURES}MCR_MUE_PractitionerServices_Eff_2025-01-01.csv` });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
  });

  it('logs in, opens a hostile case (nothing runs), edits and approves the draft; the reply arrives', async () => {
    await appendMessage(mailbox, hostileQuestion(1, 'Pat Coder <pat@clinic.test>', 'Can 97530 be billed with 97140?',
      'Hello,\n\nCan 97530 and 97140 be billed together on the same day, DOS 01/15/2025? Dx M54.50.\n\nThanks,\nPat'));
    await appendMessage(mailbox, rawMessage({ From: 'Sam Lee <sam@ortho.test>', To: 'answers@casedesk.test', Subject: 'Modifier 25 with 99213 and 20610', 'Message-ID': `<browser-2-${Date.now()}@ortho.test>` },
      'Hi,\n\nIs modifier 25 needed on 99213 when 20610 is done the same visit?\n\nSam'));
    await appendMessage(mailbox, rawMessage({ From: 'rio@pt.test', To: 'answers@casedesk.test', Subject: 'Units for 97110', 'Message-ID': `<browser-3-${Date.now()}@pt.test>` },
      'How many units of 97110 x5 can we bill in one day?'));
    const em = () => cd.app.orm.em.fork();
    await waitFor(async () => (await em().count(Draft, { state: 'pending' })) === 3, { timeoutMs: 30_000, what: 'three pending drafts' });
    // Subjects are encrypted at rest: they cannot be queried by value, so drafts are picked in memory.
    const draftWith = async (text: string) => (await em().find(Draft, {})).find((d) => d.subject.includes(text))!;
    const draft = await draftWith('97530');
    // The question is recognised (an NCCI pair): the draft carries a suggested answer, not the marker.
    expect(draft.bodyText).not.toContain(PLACEHOLDER);
    expect(draft.suggestedAnswer).toBeTruthy();
    expect(draft.bodyText).toContain(draft.suggestedAnswer!);

    // A colleague has another case open and assigned to them: the queue shows both.
    const colleague = await browser.newContext();
    const other = await colleague.newPage();
    await other.goto(`${cd.app.url}/login`);
    await other.fill('input[name=email]', 'lee@casedesk.test');
    await other.fill('input[name=password]', 'browser-test-password');
    await other.click('button[type=submit]');
    await other.waitForURL('**/queue');
    const sams = await draftWith('Modifier 25');
    await other.goto(`${cd.app.url}/cases/${sams.caseId}`);
    await other.click('text=Assign to me');
    await other.waitForSelector('.flash-ok');
    await colleague.close();

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const foreign: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(cd.app.url!)) foreign.push(r.url());
    });

    await page.goto(`${cd.app.url}/queue`);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=email]', 'dana@casedesk.test');
    await page.fill('input[name=password]', 'browser-test-password');
    await page.click('button[type=submit]');
    await page.waitForURL('**/queue');
    await page.waitForSelector('tr.selected');
    expect(await page.locator('.viewer').allTextContents()).toEqual(['lee@casedesk.test']);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}queue.png` });

    // Keyboard: j/k move the selection, Enter opens the selected case.
    const rows = await page.locator('tbody tr[data-href]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-href')));
    const target = rows.findIndex((href) => href?.endsWith(`draft=${draft.id}`));
    expect(target).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < target; i++) await page.keyboard.press('j');
    await page.keyboard.press('k');
    if (target > 0) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/cases/${draft.caseId}?draft=${draft.id}`);

    await page.click('details.html summary');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(foreign).toEqual([]);
    expect(await page.locator('.email-html script, .email-html img, [onerror]').count()).toBe(0);
    expect(await page.locator('.email-html .img-placeholder').count()).toBe(2);
    expect(await page.locator('.email-html a[data-href="https://www.cms.gov/medicare/coding-billing/ncci-medicare"]').count()).toBe(1);
    expect(await page.locator('.msg-question mark.code').allTextContents()).toEqual(expect.arrayContaining(['97530', '97140', 'M54.50']));
    expect(await page.locator('.evidence table.ev').count()).toBe(1);
    expect(await page.locator('.evidence').textContent()).toContain('modifier indicator 1');

    const answer = 'Yes, when the services are distinct: 97530 and 97140 are a column 1/column 2 pair; append modifier 59 only when documentation supports separate 15-minute intervals.';
    // Unedited, the button approves the suggestion as such; once edited (in the browser), it says so no more.
    expect((await page.textContent('#approve'))?.trim()).toBe('Approve suggested answer');
    expect(await page.locator('.suggestion .facts li').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('NCCI 97530 + 97140')]));
    const text = await page.inputValue('#bodyText');
    await page.fill('#bodyText', text.replace(draft.suggestedAnswer!, answer));
    expect((await page.textContent('#approve'))?.trim()).toBe('Approve and send');
    await page.fill('#bodyText', text);
    expect((await page.textContent('#approve'))?.trim()).toBe('Approve suggested answer');
    await page.fill('#bodyText', text.replace(draft.suggestedAnswer!, answer));
    await page.screenshot({ path: `${SHOTS}case.png`, fullPage: true });
    await page.click('#approve');
    await page.waitForSelector('.flash-ok');
    expect(await page.textContent('.flash-ok')).toContain('reply approved');

    // Each question was acknowledged automatically at intake; the answer is the one without Auto-Submitted.
    const reply = await waitFor(() => smtp.messages.find((m) => m.parsed?.headers.get('auto-submitted') === undefined), { timeoutMs: 20_000, what: 'the approved reply' });
    expect(reply.envelope.rcptTo.map((r) => r.address)).toEqual(['pat@clinic.test']);
    expect(reply.parsed?.text).toContain(answer);
    expect(reply.parsed?.text).not.toContain(PLACEHOLDER);
    expect(reply.parsed?.subject).toBe(`Re: Can 97530 be billed with 97140? [CD-${draft.caseId}]`);
    await waitFor(async () => (await em().findOneOrFail(Draft, { id: draft.id })).state === 'sent', { timeoutMs: 10_000, what: 'draft sent' });
    expect(dialogs).toEqual([]);

    // The thread now holds our reply, after the question (oldest first).
    await page.goto(`${cd.app.url}/cases/${draft.caseId}`);
    expect(await page.locator('.thread article').evaluateAll((els) => els.map((e) => e.className))).toEqual(expect.arrayContaining(['msg msg-inbound msg-question', 'msg msg-outbound']));
    expect(await page.locator('.thread .msg-outbound').last().textContent()).toContain(answer);

    // The audit log tells who viewed, edited, approved and what was sent.
    await page.goto(`${cd.app.url}/admin/audit?caseId=${draft.caseId}`);
    const log = await page.locator('main').textContent();
    for (const entry of ['case.view', 'draft.save', 'draft.approve', 'dana@casedesk.test', 'pat@clinic.test']) expect(log).toContain(entry);
    await context.close();
  });
});
