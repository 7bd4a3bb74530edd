import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeEntry } from '../../../src/codes/code-entry.entity.ts';
import { CodeRelease } from '../../../src/codes/code-release.entity.ts';
import { describeCode, findMue, findNcciEdit, importCodeFile, lookupCode, releasesInForce, searchCodes } from '../../../src/codes/index.ts';
import { NcciEditRow } from '../../../src/codes/ncci-edit.entity.ts';
import { ValidationError } from '../../../src/shared/errors.ts';
import { codesDescribe, codesLookup, codesMue, codesNcci } from '../../../src/cli/commands/codes.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { SHARED_DATA } from '../../support/shared-data.ts';

const FIX = 'test/fixtures/codes';
const ORDER_2025 = `${SHARED_DATA}/icd10cm/fy2025/icd10cm_order_2025.txt`;

describe.each(TEST_DRIVERS)('code importers on fixtures (%s)', (driver) => {
  let t: TestDatabase;
  let tmp: string;
  const em = () => t.orm.em.fork();

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    tmp = mkdtempSync(join(tmpdir(), 'casedesk-codes-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('imports NCCI PTP edits, skipping header lines and rejecting a bad row by line number', async () => {
    const s = await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    // The name says v31.1 (2025Q2); the explicit date wins over the name's.
    expect(s.release).toMatchObject({ system: 'ncci', version: '2025Q2', effectiveDate: '2025-01-01' });
    expect(s.rowsRead).toBe(6);
    expect(s.added).toBe(5);
    expect(s.rejected).toEqual([{ line: 7, reason: 'bad modifier indicator "5"' }]);
    const again = await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    expect(again.skipped).toBe(true);
    expect(await em().count(CodeRelease, { system: 'ncci' })).toBe(1);
  });

  it('finds an edit in either order and explains the modifier indicator', async () => {
    const a = await findNcciEdit(em(), '97530', '97140', { date: '2025-02-01' });
    const b = await findNcciEdit(em(), '97140', '97530', { date: '2025-02-01' });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ column1: '97140', column2: '97530', modifierIndicator: '1', active: true, deletionDate: null, rationale: 'Mutually exclusive procedures' });
    expect(a!.meaning).toMatch(/^Modifier allowed/);
    expect((await findNcciEdit(em(), '36415', '36416', { date: '2025-02-01' }))).toMatchObject({ modifierIndicator: '0', priorTo1996: true });
    expect((await findNcciEdit(em(), '99213', 'G0283', { date: '2025-02-01' }))).toMatchObject({ modifierIndicator: '9', active: false, deletionDate: '2024-01-01' });
    expect(await findNcciEdit(em(), '97140', '97110', { date: '2025-02-01' })).toBeNull();
    expect(await findNcciEdit(em(), '97140', '97530', { date: '2024-06-01' })).toBeNull(); // no NCCI release in force yet
  });

  it('answers from the NCCI release in force on the date', async () => {
    const s = await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v312r0-f1.txt`, effective: '2025-04-01' });
    expect(s).toMatchObject({ added: 0, changed: 2, ended: 0, previous: { version: '2025Q2' } });
    expect((await findNcciEdit(em(), '29125', '29105', { date: '2025-03-31' }))!.modifierIndicator).toBe('1');
    expect((await findNcciEdit(em(), '29125', '29105', { date: '2025-04-01' }))!.modifierIndicator).toBe('0');
    expect(await findNcciEdit(em(), '20610', '76942', { date: '2025-05-01' })).toMatchObject({ active: false, deletionDate: '2025-04-01' });
    const out = await codesNcci(em(), '97530', '97140', { date: '2025-05-01' });
    expect(out.text).toContain('modifier indicator 1: Modifier allowed');
    expect(out.text).toContain('release: ncci 2025Q3 (effective 2025-04-01)');
  });

  it('imports the MUE table and explains the adjudication indicator', async () => {
    const s = await importCodeFile(t.orm, { system: 'mue', file: `${FIX}/MCR_MUE_PractitionerServices_Eff_2025-01-01.csv` });
    expect(s.release).toMatchObject({ version: '2025Q1', effectiveDate: '2025-01-01' });
    expect(s.rejected).toEqual([{ line: 7, reason: '97530: MUE value "six" is not a whole number' }]);
    const m = await findMue(em(), '36415', { date: '2025-03-01' });
    expect(m).toMatchObject({ code: '36415', value: 1, adjudicationIndicator: '2', rationale: 'Nature of Service/Procedure, single draw' });
    expect(m!.adjudicationMeaning).toMatch(/^Date of service edit, policy/);
    expect(await findMue(em(), '36415', { date: '2024-12-31' })).toBeNull();
    expect((await codesMue(em(), 'l3908', { date: '2025-03-01' })).text).toContain('MUE L3908: 1 unit\n');
  });

  it('resolves CPT codes without a licence from their form and NCCI/MUE listings, validity not checked', async () => {
    expect(await lookupCode(em(), '97530', { date: '2025-05-01' })).toMatchObject({
      system: 'cpt', code: '97530', status: 'unchecked', licensed: false, shortDescription: 'CPT code, descriptor not licensed', listedIn: ['ncci'],
    });
    // 97001 was deleted in 2017: without a CPT release nothing may call it valid.
    expect(await lookupCode(em(), '97001', { date: '2025-05-01' })).toMatchObject({ system: 'cpt', status: 'unchecked', licensed: false });
    expect((await codesLookup(em(), '97001', { date: '2025-05-01' })).text).toContain('97001  CPT  CPT validity not checked (no CPT release loaded)');
    expect((await lookupCode(em(), '97110', { date: '2025-05-01' })).listedIn).toEqual(['mue']);
    expect((await lookupCode(em(), '99499', { date: '2025-05-01' })).listedIn).toBeUndefined();
    expect(await lookupCode(em(), '-25')).toMatchObject({ system: 'modifier', code: '25', shortDescription: 'CPT modifier', licensed: false });
  });

  it('imports a licensee CPT file (tab or comma) with invented descriptors', async () => {
    const s = await importCodeFile(t.orm, { system: 'cpt', file: `${FIX}/cpt-fixture-2025.txt` });
    expect(s.release).toMatchObject({ version: '2025', effectiveDate: '2025-01-01' });
    expect(s.rowsRead).toBe(5);
    expect(s.rejected).toEqual([{ line: 6, reason: '"9921" is not a CPT code' }]);
    const r = await lookupCode(em(), '99213', { date: '2025-05-01' });
    expect(r).toMatchObject({ system: 'cpt', status: 'valid', licensed: true, shortDescription: 'FIXTURE VISIT EST LOW', consumerDescription: 'Fixture plain text: an invented follow-up visit' });
    expect(await lookupCode(em(), '25', { date: '2025-05-01' })).toMatchObject({ system: 'modifier', licensed: true, longDescription: 'Fixture text, not the CPT descriptor: invented modifier' });
    expect((await lookupCode(em(), '99213', { date: '2024-05-01' })).status).toBe('not-yet-valid');
    // With a CPT release loaded, a code it does not list is unknown, not "valid".
    expect(await lookupCode(em(), '97001', { date: '2025-05-01' })).toMatchObject({ system: 'unknown', status: 'unknown' });
    const comma = await importCodeFile(t.orm, { system: 'cpt', file: `${FIX}/cpt-fixture-comma-2025.csv`, effective: '2025-07-01', version: '2025-07' });
    expect(comma.rowsRead).toBe(1);
    expect((await lookupCode(em(), '99214', { date: '2025-08-01' })).longDescription).toBe('Fixture text, not the CPT descriptor: invented visit, moderate');
    expect((await searchCodes(em(), 'invented visit moderate', { system: 'cpt' }))[0].code).toBe('99214');
  });

  // Reads the official FY2025 order file from ../shared/data (present in CI beside the clone).
  it.skipIf(!existsSync(ORDER_2025))('stops on bad files, naming the line, and leaves nothing behind', async () => {
    const releasesBefore = await em().count(CodeRelease, {});
    const entriesBefore = await em().count(CodeEntry, {});
    const ncciBefore = await em().count(NcciEditRow, {});
    const order = readFileSync(ORDER_2025).subarray(0, 40_000);
    const lines = order.toString('latin1').split('\r\n');
    const truncated = join(tmp, 'icd10cm_order_2025_truncated.txt');
    writeFileSync(truncated, `${lines.slice(0, 100).join('\r\n')}\r\n${lines[100].slice(0, 40)}`);
    const latin1 = join(tmp, 'icd10cm_order_2025_latin1.txt');
    writeFileSync(latin1, Buffer.concat([Buffer.from(`${lines.slice(0, 9).join('\r\n')}\r\n`), Buffer.from(`${lines[9].slice(0, 80)}caf\xe9\r\n`, 'latin1')]));
    const utf16 = join(tmp, 'icd10cm_codes_2025_utf16.txt');
    writeFileSync(utf16, Buffer.from('\ufeffA000    Cholera\r\n', 'utf16le'));
    const cases: [string, string, RegExp][] = [
      ['icd10cm', truncated, /^line 101: line too short \(truncated\?\)/],
      ['icd10cm', latin1, /^line 10: not valid UTF-8 text/],
      ['icd10cm', utf16, /^line 1: NUL byte found: wrong encoding/],
      ['ncci', `${FIX}/ncci-truncated.txt`, /^line 3: 4 tab-separated fields \(truncated\?\)/],
      ['hcpcs', ORDER_2025, /^line 1: not an HCPCS record/],
      ['icd10pcs', `${FIX}/MCR_MUE_PractitionerServices_Eff_2025-01-01.csv`, /^line 2: not a code and description/],
      ['mue', `${FIX}/ccipra-v311r0-f1.txt`, /^line 8: no MUE rows found/],
    ];
    for (const [system, file, message] of cases) {
      const err = await importCodeFile(t.orm, { system, file, effective: '2025-01-01' }).catch((e: unknown) => e);
      expect(err, `${system} ${file}`).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(message);
    }
    expect(await em().count(CodeRelease, {})).toBe(releasesBefore);
    expect(await em().count(CodeEntry, {})).toBe(entriesBefore);
    expect(await em().count(NcciEditRow, {})).toBe(ncciBefore);
  });

  it('asks for --effective when the file name does not say, and rejects unknown systems', async () => {
    const copy = join(tmp, 'edits.txt');
    writeFileSync(copy, `${readFileSync(`${FIX}/ccipra-v311r0-f1.txt`, 'utf8')}\r\n`); // other bytes: not the imported file
    await expect(importCodeFile(t.orm, { system: 'ncci', file: copy })).rejects.toThrow(/--effective YYYY-MM-DD is required/);
    await expect(importCodeFile(t.orm, { system: 'icd9', file: copy })).rejects.toThrow(/unknown code system "icd9"/);
    await expect(importCodeFile(t.orm, { system: 'ncci', file: join(tmp, 'missing.txt') })).rejects.toThrow(/cannot read/);
  });

  it('keeps a plain-language description beside the official descriptor', async () => {
    await describeCode(em(), '97530', 'Hands-on activities to improve function (invented for the test).', 'ana');
    const out = await codesDescribe(em(), '97530', { text: 'Therapy activities to improve how you move (invented).', author: 'ben' });
    expect(out.json).toMatchObject({ code: '97530', author: 'ben' });
    const r = await lookupCode(em(), '97530', { date: '2025-05-01' });
    expect(r.plainLanguage).toBe('Therapy activities to improve how you move (invented).');
    expect((await codesLookup(em(), '97530', { date: '2025-05-01' })).text).toContain('plain language: Therapy activities');
    await expect(describeCode(em(), '97530', '   ')).rejects.toThrow(ValidationError);
    await expect(describeCode(em(), '!!', 'x')).rejects.toThrow(/not a well-formed code/);
  });

  it('sees a plain-language description written by another process within 2 s', async () => {
    expect((await lookupCode(em(), '97530', { date: '2025-05-01' })).plainLanguage).toBe('Therapy activities to improve how you move (invented).');
    const other = await openDatabase(t.db, { migrate: false });
    try {
      await describeCode(other.em.fork(), '97530', 'Written by another process (invented).');
      await describeCode(other.em.fork(), '0275T', 'A new description from another process (invented).');
    } finally {
      await other.close(true);
    }
    await new Promise((r) => setTimeout(r, 2100));
    expect((await lookupCode(em(), '97530', { date: '2025-05-01' })).plainLanguage).toBe('Written by another process (invented).');
    expect((await lookupCode(em(), '0275T', { date: '2025-05-01' })).plainLanguage).toBe('A new description from another process (invented).');
  });

  it('lists the releases in force on a date', async () => {
    const list = await releasesInForce(em(), '2025-05-01');
    expect(list.map((r) => `${r.system} ${r.version}`)).toEqual(['cpt 2025', 'mue 2025Q1', 'ncci 2025Q3']);
    await expect(releasesInForce(em(), '2025-13-01')).rejects.toThrow(ValidationError);
  });
});
