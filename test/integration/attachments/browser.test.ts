import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingClamd } from '../../../src/attachments/clamd-client.ts';
import { Attachment } from '../../../src/attachments/attachment.entity.ts';
import { CaseMessage } from '../../../src/cases/case.entity.ts';
import { addUser } from '../../../src/review/users.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { PNG_1X1 } from '../../fixtures/attachments/make-files.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { HAVE_CHROMIUM, launchChromium } from '../../support/chromium.ts';
import { testClamdAddress } from './clamd-settings.ts';
import { withAttachments } from './mail.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/attachments');
const HTML = `<!doctype html><html><body><h1>Claim</h1><script>window.__pwned = 'html'; alert('html')</script><img src=x onerror="alert('html-img')"></body></html>`;
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.__pwned = 'svg'; alert('svg')</script><rect width="10" height="10" onload="alert('svg-onload')"/></svg>`;

describe.skipIf(!HAVE_CHROMIUM)('attachments in real Chromium (skipped: /usr/bin/chromium is missing)', () => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!(await pingClamd({ address: testClamdAddress(), timeoutMs: 5_000 }))) throw new Error('clamd does not answer: start it with scripts/services.sh start (CLAMD_PORT)');
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('att-browser');
    cd = await bootCaseDesk({ driver: 'sqlite', mailbox, smtpPort: smtp.port });
    await addSubscriber(cd.app.orm.em.fork(), '@clinic.test', 'pro', cd.config.env.PLANS);
    await addUser(cd.app.orm.em.fork(), { email: 'dana@casedesk.test', role: 'consultant', password: 'browser-test-password' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cd?.teardown();
    await smtp?.close();
    if (mailbox) await deleteMailbox(mailbox);
  });

  it('renders the image, opens the PDF sandboxed, only downloads the HTML and the SVG; no script runs', async () => {
    const pdf = readFileSync(resolve(FIXTURES, 'denial-letter.pdf'));
    await appendMessage(mailbox, withAttachments(
      { From: 'Pat Coder <pat@clinic.test>', To: 'answers@casedesk.test', Subject: 'Screenshots of the denial', 'Message-ID': `<att-browser-${Date.now()}@clinic.test>` },
      'Hello, the screenshot, the letter and the portal pages are attached. Is 99213 with 25 right?',
      [
        { name: 'screenshot.png', type: 'image/png', content: PNG_1X1 },
        { name: 'letter.pdf', type: 'application/pdf', content: pdf },
        // Sent as harmless types: the sniffed type decides.
        { name: 'portal.html', type: 'text/plain', content: Buffer.from(HTML) },
        { name: 'chart.svg', type: 'image/png', content: Buffer.from(SVG) },
      ],
    ));
    const em = () => cd.app.orm.em.fork();
    const message = await waitFor(async () => (await em().find(CaseMessage, {})).find((m) => m.subject === 'Screenshots of the denial') ?? null, { timeoutMs: 30_000, what: 'the case message' });
    await waitFor(async () => (await em().count(Attachment, { caseMessageId: message.id, state: 'clean' })) === 4, { timeoutMs: 60_000, what: 'four clean attachments' });
    const byName = Object.fromEntries((await em().find(Attachment, { caseMessageId: message.id })).map((a) => [a.name, a]));
    expect(byName['portal.html'].sniffedType).toBe('text/html');
    expect(byName['chart.svg'].sniffedType).toBe('image/svg+xml');

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const responses: Response[] = [];
    context.on('response', (r) => responses.push(r));
    await page.goto(`${cd.app.url}/login`);
    await page.fill('input[name=email]', 'dana@casedesk.test');
    await page.fill('input[name=password]', 'browser-test-password');
    await page.click('button[type=submit]');
    await page.waitForURL('**/queue');
    await page.goto(`${cd.app.url}/cases/${message.caseId}`);

    // The image renders inline, with the sniffed type.
    const img = page.locator(`li[data-attachment="${byName['screenshot.png'].id}"] img.att-image`);
    await img.waitFor();
    await waitFor(async () => (await img.evaluate((el) => ((el as unknown as { complete: boolean }).complete ? (el as unknown as { naturalWidth: number }).naturalWidth : 0))) > 0, { timeoutMs: 10_000, what: 'the image drawn' });
    const imageResponse = responses.find((r) => r.url().endsWith(`/attachments/${byName['screenshot.png'].id}`))!;
    // allHeaders: Playwright's headers() leaves out security headers such as the CSP.
    const imageHeaders = await imageResponse.allHeaders();
    expect(imageHeaders['content-type']).toBe('image/png');
    expect(imageHeaders['x-content-type-options']).toBe('nosniff');

    // The PDF opens in a new tab, served inline under CSP sandbox (the browser's viewer; nothing of our origin runs).
    const pdfItem = page.locator(`li[data-attachment="${byName['letter.pdf'].id}"]`);
    const [pdfResponse] = await Promise.all([
      context.waitForEvent('response', (r) => r.url().endsWith(`/attachments/${byName['letter.pdf'].id}`)),
      pdfItem.locator('a.att-open').click(),
    ]);
    expect(pdfResponse.status()).toBe(200);
    const pdfHeaders = await pdfResponse.allHeaders();
    expect(pdfHeaders['content-type']).toBe('application/pdf');
    expect(pdfHeaders['content-security-policy']).toBe('sandbox');
    expect(pdfHeaders['content-disposition']).toMatch(/^inline;/);

    // The HTML and the SVG have no open link, only a download; even asked for directly, they download and never render.
    for (const name of ['portal.html', 'chart.svg']) {
      const item = page.locator(`li[data-attachment="${byName[name].id}"]`);
      expect(await item.locator('a.att-open').count()).toBe(0);
      expect(await item.locator('img').count()).toBe(0);
      const [download] = await Promise.all([page.waitForEvent('download'), item.locator('a.att-download').click()]);
      expect(download.suggestedFilename()).toBe(name);
      const direct = await context.newPage();
      const [directDownload] = await Promise.all([direct.waitForEvent('download'), direct.goto(`${cd.app.url}/attachments/${byName[name].id}`).catch(() => null)]);
      expect(directDownload.suggestedFilename()).toBe(name);
      const served = responses.filter((r) => r.url().endsWith(`/attachments/${byName[name].id}`)).at(-1)!;
      const servedHeaders = await served.allHeaders();
      expect(servedHeaders['content-type']).toBe('application/octet-stream');
      expect(servedHeaders['content-disposition']).toMatch(/^attachment;/);
      expect(servedHeaders['content-security-policy']).toContain('sandbox');
      expect(await direct.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned).catch(() => undefined)).toBeUndefined();
      await direct.close();
    }

    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
