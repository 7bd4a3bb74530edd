import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCodeFile } from '../../../src/codes/index.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { CONSULTANT_ANSWER_MARKER } from '../../../src/drafts/reply-view.ts';
import { addUser } from '../../../src/review/users.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { HAVE_CHROMIUM, launchChromium } from '../../support/chromium.ts';

/** README screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1); otherwise they go to a temp folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : `${mkdtempSync(join(tmpdir(), 'casedesk-day-'))}/`;
const FIXTURES = fileURLToPath(new URL('../../fixtures/codes/', import.meta.url));
const QUESTIONS = [
  ['Pat Coder <pat@clinic.test>', 'Can 97530 be billed with 97140?', 'Can 97530 and 97140 be billed together on the same day, DOS 01/15/2025? Dx M54.50.'],
  ['Sam Lee <sam@clinic.test>', 'Modifier 25 with 99213 and 20610', 'Is modifier 25 needed on 99213 when 20610 is done the same visit? DOS 02/03/2025.'],
  ['Rio Diaz <rio@clinic.test>', 'Units for 97110', 'How many units of 97110 can we bill in one day? DOS 03/10/2025.'],
] as const;

/** A made-up ICD-10-CM order file in the CMS layout (invented descriptors). */
function orderFile(dir: string): string {
  const rows: [string, 0 | 1, string][] = [['M545', 0, 'Lumbar ache'], ['M5450', 1, 'Lumbar ache, not specified'], ['M5451', 1, 'Lumbar ache of vertebral origin'], ['M5459', 1, 'Lumbar ache, other']];
  const file = join(dir, 'icd10cm_order_2025.txt');
  writeFileSync(file, `${rows.map(([c, b, d], i) => `${String(i + 1).padStart(5, '0')} ${c.padEnd(7)} ${b} ${d.padEnd(60)} ${d}`).join('\n')}\n`);
  return file;
}

/**
 * A consultant's day in Chromium: log in, go through the queue with the keyboard, edit three
 * drafts (watching the live HTML preview) and approve them, look a code up, check an NCCI pair,
 * log out. Screenshots for the README (docs/screenshots/day-*.png with UPDATE_SCREENSHOTS=1).
 */
describe.skipIf(!HAVE_CHROMIUM)('the consultant\'s day in real Chromium', () => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-day-codes-'));

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('day');
    cd = await bootCaseDesk({ driver: 'sqlite', mailbox, smtpPort: smtp.port });
    await addUser(cd.app.orm.em.fork(), { email: 'dana@casedesk.test', role: 'consultant', password: 'browser-test-password' });
    await addSubscriber(cd.app.orm.em.fork(), '@clinic.test', 'pro', cd.config.env.PLANS);
    await importCodeFile(cd.app.orm, { system: 'icd10cm', file: orderFile(dir) });
    await importCodeFile(cd.app.orm, { system: 'ncci', file: `${FIXTURES}ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
    rmSync(dir, { recursive: true, force: true });
  });

  it('log in, three drafts by keyboard, edit and approve, a code, an NCCI pair, log out', { timeout: 240_000 }, async () => {
    for (const [i, [from, subject, text]] of QUESTIONS.entries()) {
      await appendMessage(mailbox, rawMessage({ From: from, To: 'answers@casedesk.test', Subject: subject, 'Message-ID': `<day-${i}-${Date.now()}@clinic.test>` }, `Hello,\n\n${text}\n\nThanks`));
    }
    const em = () => cd.app.orm.em.fork();
    await waitFor(async () => (await em().count(Draft, { state: 'pending' })) === 3, { timeoutMs: 60_000, what: 'three pending drafts' });
    mkdirSync(SHOTS, { recursive: true });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(cd.app.url!)) foreign.push(r.url());
    });
    await page.goto(`${cd.app.url}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=email]', 'dana@casedesk.test');
    await page.fill('input[name=password]', 'browser-test-password');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/queue');

    for (let n = 0; n < 3; n++) {
      await page.goto(`${cd.app.url}/queue`);
      await page.waitForSelector('tr.selected');
      expect(await page.locator('tbody tr[data-href]').count()).toBe(3 - n);
      if (n === 0) await page.screenshot({ path: `${SHOTS}day-queue.png` });
      // j to the last row, k back up to the first, Enter opens it.
      for (let j = 0; j < 3 - n; j++) await page.keyboard.press('j');
      for (let k = 0; k < 3 - n; k++) await page.keyboard.press('k');
      const href = await page.locator('tr.selected').getAttribute('data-href');
      await page.keyboard.press('Enter');
      await page.waitForURL(`**${href}`);
      const answer = `Answer ${n + 1}: yes, when the documentation supports it; see the evidence below.`;
      const draftText = await page.inputValue('#bodyText');
      // The marker, or a suggested answer (a recognised question): the consultant's answer goes in its place.
      const edited = draftText.includes(CONSULTANT_ANSWER_MARKER)
        ? draftText.replace(CONSULTANT_ANSWER_MARKER, answer)
        : draftText.replace(/(^|\n)ANSWER\n\n[\s\S]*?\n\n(?=WHAT WE CHECKED\n)/, (m, lead: string) => `${lead}ANSWER\n\n${answer}\n\n`);
      expect(edited).toContain(answer);
      await page.locator('#bodyText').fill(edited);
      // The live preview follows the text without a round trip.
      await expect.poll(() => page.locator('#live-preview').textContent()).toContain(answer);
      expect(await page.locator('#live-preview').textContent()).not.toContain(CONSULTANT_ANSWER_MARKER);
      if (n === 0) await page.screenshot({ path: `${SHOTS}day-case.png`, fullPage: true });
      await page.click('#approve');
      await page.waitForSelector('.flash-ok');
      expect(await page.textContent('.flash-ok')).toContain('reply approved');
    }
    await waitFor(async () => (await em().count(Draft, { state: 'sent' })) === 3, { timeoutMs: 60_000, what: 'three replies sent' });
    const answers = smtp.messages.filter((m) => m.parsed?.text?.includes('Answer '));
    expect(answers.map((m) => /Answer (\d)/.exec(m.parsed!.text!)![1]).sort()).toEqual(['1', '2', '3']);
    for (const m of answers) expect(String(m.parsed!.html)).toMatch(/^<!doctype html>/i);

    // A code: the header's detail and the codes below it, no keyword noise.
    await page.click('nav >> text=Codes');
    await page.fill('input[name=q]', 'M54.5');
    await page.fill('form[action="/codes"] input[name=date]', '2025-01-15');
    await page.click('form[action="/codes"] button[type=submit]');
    await page.waitForSelector('section.result');
    expect(await page.locator('section.result').textContent()).toContain('3 billable codes below it');
    expect(await page.locator('table.rows').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}day-codes.png`, fullPage: true });

    // An NCCI pair.
    await page.fill('input[name=a]', '97530');
    await page.fill('input[name=b]', '97140');
    await page.fill('form[action="/codes/ncci"] input[name=date]', '2025-01-15');
    await page.click('form[action="/codes/ncci"] button[type=submit]');
    await page.waitForSelector('section.ncci-answer');
    expect(await page.locator('section.ncci-answer p').first().textContent()).toMatch(/^97140 \(column 1\) \/ 97530 \(column 2\): in force on 2025-01-15; modifier indicator 1/);
    await page.screenshot({ path: `${SHOTS}day-ncci.png`, fullPage: true });

    // Log out: the session is gone.
    await page.click('form.logout button');
    await page.waitForURL(/\/login/);
    await page.goto(`${cd.app.url}/queue`);
    expect(page.url()).toContain('/login');
    expect(foreign).toEqual([]);
    await context.close();
  });
});
