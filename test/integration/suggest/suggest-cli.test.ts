import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCodeFile } from '../../../src/codes/index.ts';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { HAVE_SHARED_DATA, SHARED_DATA } from '../../support/shared-data.ts';

// The official files, beside the repository (never copied into it); NCCI/MUE: the corpus's fixtures.
const DATA = SHARED_DATA;
const CODES = 'test/fixtures/answers/codes';

/** `casedesk suggest …` through the real CLI entry, with `input` on standard input. */
async function suggest(t: TestDatabase, args: string[], input: string): Promise<{ status: number; out: string; err: string }> {
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(input)]), configurable: true });
  try {
    return await runCasedesk(t, ['suggest', ...args]);
  } finally {
    Object.defineProperty(process, 'stdin', saved);
  }
}

describe.skipIf(!HAVE_SHARED_DATA).each(TEST_DRIVERS)('casedesk suggest on a code database with imports (%s)', (driver) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await importCodeFile(t.orm, { system: 'icd10cm', file: `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt` });
    await importCodeFile(t.orm, { system: 'hcpcs', file: `${DATA}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt` });
    // As an operator would: the real CLI; version and date explicit (the MUE name is MM-DD-YYYY).
    for (const [system, file, version, effective] of [
      ['ncci', 'ccipra-v310r0-f1.txt', '2025Q1', '2025-01-01'],
      ['mue', 'MCR_MUE_PractitionerServices_Eff_01-01-2025.csv', '2025Q1', '2025-01-01'],
    ]) {
      const r = await runCasedesk(t, ['codes', 'import', system, `${CODES}/${file}`, '--version', version, '--effective', effective]);
      expect(r.status, r.err).toBe(0);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('--json prints one line with exactly the contract keys; quoted history and signature do not count', async () => {
    const raw = [
      'From: "Dana Ruiz" <druiz@peakpt.example>',
      'To: ask@casedesk.example',
      'Subject: RE: PT codes',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Can we bill 97140-59 with 97530 on the same day? DOS 03/10/2025',
      '',
      'On Mon, Mar 10, 2025 at 9:00 AM CaseDesk <ask@casedesk.example> wrote:',
      '> Is 36415 on the claim too?',
      '-- ',
      'Dana, ext. 20610',
      '',
    ].join('\r\n');
    const r = await suggest(t, ['--json'], raw);
    expect(r.status, r.err).toBe(0);
    expect(r.out.endsWith('\n')).toBe(true);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['intents', 'answer', 'facts', 'missing']);
    expect(json.intents).toEqual(['ncci-pair', 'modifier']);
    expect(json.facts).toEqual([
      { kind: 'ncci', codes: ['97140', '97530'], edit: true, column1: '97530', column2: '97140', modifierIndicator: '1', inEffect: true },
      { kind: 'modifier', modifier: '59', code: '97140' },
    ]);
    expect(json.missing).toEqual([]);
    expect(json.answer).toContain('column 1 97530, column 2 97140, modifier indicator 1');
    expect(json.answer).toContain('NCCI PTP 2025Q1, effective 2025-01-01');
    expect(json.answer).toContain('59 on 97140 is the right place');
    expect(json.answer).not.toContain('36415');
  });

  it('without a written date of service uses --date and says so; a header lists its children', async () => {
    const r = await suggest(t, ['--json', '--date', '2025-03-03'], 'Is M54.5 specific enough to bill?\n');
    expect(r.status, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.intents).toEqual(['billable']);
    expect(json.facts).toEqual([{ kind: 'code', code: 'M54.5', system: 'icd10cm', valid: true, billable: false, header: true, children: ['M54.50', 'M54.51', 'M54.59'] }]);
    expect(json.missing).toEqual(['date of service not given; used 2025-03-03']);
    expect(json.answer).toContain('ICD-10-CM FY2025, effective 2024-10-01');
  });

  it('plain output is the answer text: units against the MUE, from the real HCPCS file', async () => {
    const r = await suggest(t, [], 'Subject: toradol\n\nWe billed J1885 x10 on DOS 02/12/2025, ok?\n');
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/^Checked against the code data in force on the date of service, 2025-02-12\.\n\nJ1885: the MUE is 8 units per day \(MUE 2025Q1, effective 2025-01-01\)/);
    expect(r.out).toContain('You wrote 10 units: that is more than the MUE of 8');
  });

  it('a date of service before any NCCI release: no ncci fact, and missing says so', async () => {
    const r = await suggest(t, ['--json'], 'Can 97140 and 97530 be billed together? DOS 11/12/2024\n');
    const json = JSON.parse(r.out);
    expect(json.facts).toEqual([]);
    expect(json.missing).toEqual(['no NCCI release loaded for 2024-11-12']);
  });

  it('code-for-words: candidates from the descriptor search, valid on the date', async () => {
    const r = await suggest(t, ['--json'], "What's the ICD-10 code for type 2 diabetes with hyperglycemia? DOS 01/15/2025\n");
    const json = JSON.parse(r.out);
    expect(json.intents).toEqual(['code-for-words']);
    expect(json.facts[0]).toMatchObject({ kind: 'search', words: 'type 2 diabetes with hyperglycemia' });
    expect(json.facts[0].codes).toContain('E11.65');
  });

  it('a question it does not recognise: answer "" (the draft keeps the marker); plain output says so on stderr', async () => {
    const json = await suggest(t, ['--json'], 'Does Medicare cover acupuncture?\n');
    expect(JSON.parse(json.out)).toMatchObject({ intents: ['other'], answer: '', facts: [] });
    const plain = await suggest(t, [], 'Does Medicare cover acupuncture?\n');
    expect(plain).toMatchObject({ status: 0, out: '' });
    expect(plain.err).toContain('no suggested answer');
  });

  it('a bad --date is bad usage (exit 2)', async () => {
    const r = await suggest(t, ['--date', '2025-13-45'], 'Is M54.5 billable?\n');
    expect(r.status).toBe(2);
    expect(r.err).toContain('--date "2025-13-45" is not a date');
  });
});
