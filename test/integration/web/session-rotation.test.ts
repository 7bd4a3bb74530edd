import { type Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../src/web/security.ts';
import { HAVE_CHROMIUM, launchChromium } from '../../support/chromium.ts';
import { buildTestWebApp, createUser, PASSWORD, type WebApp } from './web-app.ts';

describe.skipIf(!HAVE_CHROMIUM)('session id rotation on login, in real Chromium', () => {
  let web: WebApp;
  let browser: Chromium;
  let url: string;

  beforeAll(async () => {
    web = await buildTestWebApp('sqlite');
    await createUser(web, 'con@casedesk.test');
    url = await web.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a session id from before login is worth nothing after it', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    const sid = async () => (await context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
    const before = await sid();
    expect(before).toBeTruthy(); // the login form's CSRF token lives in a session
    await page.fill('input[name=email]', 'con@casedesk.test');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/queue$/), page.click('button[type=submit]')]);
    const after = await sid();
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // The planted (pre-login) id does not carry the login.
    const planted = await web.app.inject({ method: 'GET', url: '/queue', headers: { accept: 'text/html', cookie: `${SESSION_COOKIE}=${before}` } });
    expect(planted.statusCode).toBe(303);
    expect(planted.headers.location).toMatch(/^\/login/);
    const current = await web.app.inject({ method: 'GET', url: '/queue', headers: { accept: 'text/html', cookie: `${SESSION_COOKIE}=${after}` } });
    expect(current.statusCode).toBe(200);
    await context.close();
  });
});
