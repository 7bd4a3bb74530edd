import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCodeFile } from '../../../src/codes/index.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { waitFor } from '../../support/imap.ts';
import { buildTestWebApp, Browser, createUser, type WebApp } from './web-app.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/codes/', import.meta.url));

/** A made-up ICD-10-CM order file in the CMS layout (invented descriptors): one header and its children, and a few others. */
function orderFile(dir: string): string {
  const rows: [string, 0 | 1, string][] = [
    ['M545', 0, 'Lumbar ache'], ['M5450', 1, 'Lumbar ache, not specified'], ['M5451', 1, 'Lumbar ache of vertebral origin'], ['M5459', 1, 'Lumbar ache, other'],
    ['R5383', 1, 'Tiredness, other kind, score 5'], ['Z7985', 1, 'Long term use of pills, 5 mg'],
  ];
  const text = rows.map(([code, billable, d], i) => `${String(i + 1).padStart(5, '0')} ${code.padEnd(7)} ${billable} ${d.padEnd(60)} ${d}`).join('\n');
  const file = join(dir, 'icd10cm_order_2025.txt');
  writeFileSync(file, `${text}\n`);
  return file;
}

describe.each(TEST_DRIVERS)('the code page on %s', (driver) => {
  let web: WebApp;
  let con: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-code-page-'));
  const results = (body: string) => (/<table class="rows">[\s\S]*?<\/table>/.exec(body)?.[0] ?? '');

  beforeAll(async () => {
    web = await buildTestWebApp(driver);
    await createUser(web, 'con@casedesk.test');
    con = new Browser(web.app);
    await con.login('con@casedesk.test');
    await importCodeFile(web.db.orm, { system: 'icd10cm', file: orderFile(dir) });
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an exact code shows its detail and, for a header, the codes below it; no keyword hits', async () => {
    const page = (await con.get('/codes?q=M54.5&date=2025-01-01')).body;
    expect(page).toContain('Lumbar ache');
    expect(page).toMatch(/Header \(not billable\): 3 billable codes below it/);
    for (const child of ['M54.50', 'M54.51', 'M54.59']) expect(page).toContain(`href="/codes?q=${child}"`);
    expect(results(page)).toBe('');
    expect(page).not.toContain('score 5');
    expect(page).not.toContain('5 mg');
  });

  it('words give keyword results, also a word that only has a code\'s shape', async () => {
    expect(results((await con.get('/codes?q=lumbar%20ache')).body)).toContain('M54.51');
    const therapy = (await con.get('/codes?q=therapy')).body;
    expect(therapy).not.toContain('state-unknown');
    expect(therapy).toContain('No descriptor matches');
  });

  it('the NCCI form says plainly: no release loaded, no edit in release R, or the edit', async () => {
    const ncci = async (a: string, b: string) => /<section class="result ncci-answer"><h2>NCCI PTP<\/h2><p>([^<]*)<\/p>/.exec((await con.get(`/codes/ncci?a=${a}&b=${b}&date=2025-06-01`)).body)?.[1];
    expect(await ncci('97140', '97530')).toBe('No NCCI release is loaded: import one (casedesk codes import ncci …) to check pairs.');
    await importCodeFile(web.db.orm, { system: 'ncci', file: `${FIXTURES}ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    // The page's release list is re-checked every 2 s (an import by another process is seen within that).
    await waitFor(async () => !(await ncci('97140', '99213'))?.startsWith('No NCCI release'), { timeoutMs: 10_000, what: 'the new NCCI release on the page' });
    expect(await ncci('97140', '99213')).toMatch(/^No edit between 97140 and 99213 in NCCI release \S+ \(from 2025-01-01\)\.$/);
    expect(await ncci('97530', '97140')).toMatch(/^97140 \(column 1\) \/ 97530 \(column 2\): in force on 2025-06-01; modifier indicator 1: /);
    expect((await con.get('/codes/ncci?a=97140&b=97530&date=2024-06-01')).body).toContain('No NCCI release is loaded for 2024-06-01');
  });

  it('the plain-language editor shows who wrote the current text and when', async () => {
    expect((await con.get('/codes?q=M54.50')).body).toContain('No plain-language description yet.');
    await con.post('/codes/describe', { code: 'M54.50', text: 'Low back ache, cause not written down.' });
    const page = (await con.get('/codes?q=M54.50')).body;
    expect(page).toContain('Low back ache, cause not written down.');
    expect(page).toMatch(/Current text by con@casedesk\.test, \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
  });
});
