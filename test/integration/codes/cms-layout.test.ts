import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeCache, findMue, findNcciEdit, importCodeFile, lookupCode, releasesInForce, type ImportSummary } from '../../../src/codes/index.ts';
import { NcciEditRow } from '../../../src/codes/ncci-edit.entity.ts';
import { query } from '../../../src/codes/sql.ts';
import { codesImport } from '../../../src/cli/commands/codes.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { ValidationError } from '../../../src/shared/errors.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const FIX = 'test/fixtures/codes';
const Q1 = `${FIX}/ccipra-v320r0-f1.txt`;
const Q2 = [`${FIX}/ccipra-v321r0-f1.txt`, `${FIX}/ccipra-v321r0-f2.txt`];
const MUE_Q1 = `${FIX}/MCR_MUE_PractitionerServices_Eff_01-01-2026.csv`;
const MUE_Q2 = `${FIX}/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv`;

/** Every pair of the fixtures, and dates across the quarters. */
const PAIRS = [['20610', '76942'], ['29125', '29105'], ['36415', '36416'], ['97110', '97530'], ['97140', '97530'], ['99213', 'G0283'], ['G0283', '97032'], ['97140', '97750']];
const DATES = ['2025-12-31', '2026-01-01', '2026-03-31', '2026-04-01', '2026-06-30', '2026-07-01', '2026-12-01'];

describe.each(TEST_DRIVERS)('NCCI and MUE files in the CMS layout (%s)', (driver) => {
  let t: TestDatabase;
  let tmp: string;
  const em = () => t.orm.em.fork();
  let q1: ImportSummary;
  let q2: ImportSummary;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    tmp = mkdtempSync(join(tmpdir(), 'casedesk-cms-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads a latin-1 PTP file with its multi-line header, its quarter from the name, and the row in force of a key listed twice', async () => {
    q1 = await importCodeFile(t.orm, { system: 'ncci', file: Q1 });
    expect(q1.release).toMatchObject({ system: 'ncci', version: '2026Q1', effectiveDate: '2026-01-01', sourceFile: 'ccipra-v320r0-f1.txt' });
    expect(q1).toMatchObject({ rowsRead: 7, added: 5, duplicates: 2, rejectedCount: 0 });
    // Listed deleted on its own effective date with indicator 9, and in force with indicator 1: the row in force wins.
    expect(await findNcciEdit(em(), '97530', '97140', { date: '2026-02-01' })).toMatchObject({ column1: '97140', column2: '97530', modifierIndicator: '1', deletionDate: null, active: true });
    // Two ended rows: the later deletion wins.
    expect(await findNcciEdit(em(), '99213', 'G0283', { date: '2026-02-01' })).toMatchObject({ modifierIndicator: '1', deletionDate: '2025-01-01', active: false });
    expect(await findNcciEdit(em(), '99213', 'G0283', { date: '2024-06-01' })).toBeNull(); // no NCCI release in force then
  });

  it('imports the parts of one release together, comparing with the quarter before', async () => {
    q2 = await importCodeFile(t.orm, { system: 'ncci', file: Q2 });
    expect(q2.release).toMatchObject({ version: '2026Q2', effectiveDate: '2026-04-01', sourceFile: 'ccipra-v321r0-f1.txt, ccipra-v321r0-f2.txt' });
    expect(q2).toMatchObject({ rowsRead: 11, duplicates: 3, added: 2, changed: 2, ended: 0, previous: { version: '2026Q1' } });
    expect(q2.rejected).toEqual([{ line: 16, reason: 'ccipra-v321r0-f1.txt: bad modifier indicator "5"' }]);
    // Unchanged edits are stored once for both quarters: 5 + 2 added + 2 changed versions.
    expect(await em().count(NcciEditRow, {})).toBe(9);
    const again = await importCodeFile(t.orm, { system: 'ncci', file: [...Q2].reverse() });
    expect(again).toMatchObject({ skipped: true, release: { id: q2.release.id } });
  });

  it('answers as of the date of service across the two quarters', async () => {
    expect((await findNcciEdit(em(), '29125', '29105', { date: '2026-03-31' }))!.modifierIndicator).toBe('1');
    expect((await findNcciEdit(em(), '29125', '29105', { date: '2026-04-01' }))!.modifierIndicator).toBe('0');
    expect(await findNcciEdit(em(), '20610', '76942', { date: '2026-03-31' })).toMatchObject({ active: true, deletionDate: null, release: { version: '2026Q1' } });
    expect(await findNcciEdit(em(), '20610', '76942', { date: '2026-04-01' })).toMatchObject({ active: false, deletionDate: '2026-04-01', release: { version: '2026Q2' } });
    expect(await findNcciEdit(em(), '97110', '97530', { date: '2026-03-31' })).toBeNull();
    expect(await findNcciEdit(em(), '97530', '97110', { date: '2026-04-01' })).toMatchObject({ column1: '97110', modifierIndicator: '1', active: true });
    expect(await findNcciEdit(em(), '97032', 'G0283', { date: '2026-05-01' })).toMatchObject({ column1: 'G0283', column2: '97032' });
    expect(await findNcciEdit(em(), '97140', '97750', { date: '2026-05-01' })).toBeNull(); // its row was rejected
  });

  it('answers a pair the same outside a transaction and inside one', async () => {
    // On PostgreSQL, pair and MUE reads are prepared statements (src/db/bound-params.ts): on a
    // pooled connection outside a transaction, on the transaction's connection inside one. The
    // rows must be the same.
    const sql = 'select column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale, from_key, until_key from ncci_edit where column1 in (?, ?) and column2 in (?, ?) order by from_key';
    let found = 0;
    for (const [a, b] of PAIRS) {
      const params = [a, b, a, b];
      const outsideRows = await query(em(), sql, params);
      found += outsideRows.length;
      expect(outsideRows).toEqual(await em().transactional((tx) => query(tx, sql, params)));
      for (const date of DATES) {
        const outside = await findNcciEdit(em(), a, b, { date, cache: new CodeCache() });
        const inside = await em().transactional((tx) => findNcciEdit(tx, a, b, { date, cache: new CodeCache() }));
        expect(outside).toEqual(inside);
      }
    }
    expect(found).toBeGreaterThan(0);
    const deleted = (await query(em(), sql, ['20610', '76942', '20610', '76942'])).find((r) => r.deletion_date !== null);
    expect(deleted).toMatchObject({ effective_date: expect.any(String), deletion_date: '2026-04-01' });
  });

  it('answers from a given release, for comparing one release with the next', async () => {
    const inQ1 = await findNcciEdit(em(), '29125', '29105', { releaseId: q1.release.id });
    const inQ2 = await findNcciEdit(em(), '29125', '29105', { releaseId: q2.release.id });
    expect([inQ1!.modifierIndicator, inQ2!.modifierIndicator]).toEqual(['1', '0']);
    expect(await findNcciEdit(em(), '97110', '97530', { releaseId: q1.release.id })).toBeNull();
    await expect(findNcciEdit(em(), '97110', '97530', { releaseId: 9999 })).rejects.toThrow(/no ncci release 9999/);
  });

  it('refuses a part imported alone once its release is in', async () => {
    const part = join(tmp, 'ccipra-v321r0-f3.txt');
    copyFileSync(Q2[1], part);
    writeFileSync(part, `${readFileSync(part, 'latin1')}G0283\t97035\t\t20260401\t*\t1\tMutually exclusive procedures\r\n`, 'latin1');
    await expect(importCodeFile(t.orm, { system: 'ncci', file: part })).rejects.toThrow(/already imported from ccipra-v321r0-f1.txt, ccipra-v321r0-f2.txt: the parts of one release must be imported together/);
    await expect(importCodeFile(t.orm, { system: 'mue', file: [MUE_Q1, MUE_Q2] })).rejects.toThrow(/one file at a time for mue/);
  });

  it('reads the MUE CSV: date and version from the MM-DD-YYYY name, the quoted adjudication indicator', async () => {
    const s = await importCodeFile(t.orm, { system: 'mue', file: MUE_Q1 });
    expect(s.release).toMatchObject({ system: 'mue', version: '2026Q1', effectiveDate: '2026-01-01', sourceFile: 'MCR_MUE_PractitionerServices_Eff_01-01-2026.csv' });
    expect(s).toMatchObject({ rowsRead: 6, added: 5, rejected: [{ line: 6, reason: '97530: MUE value "six" is not a whole number' }] });
    expect(await findMue(em(), '36415', { date: '2026-02-01' })).toMatchObject({ value: 2, adjudicationIndicator: '2', rationale: 'Nature of Service/Procedure, single draw' });
    const s2 = await importCodeFile(t.orm, { system: 'mue', file: MUE_Q2 });
    expect(s2).toMatchObject({ release: { version: '2026Q2', effectiveDate: '2026-04-01' }, added: 1, changed: 2, ended: 0 });
    expect((await findMue(em(), '36415', { date: '2026-04-01' }))!.value).toBe(1);
    expect((await findMue(em(), '97110', { date: '2026-03-31' }))!.value).toBe(6);
    expect(await findMue(em(), 'G0283', { date: '2026-04-01' })).toMatchObject({ value: 0, adjudicationIndicator: '2' });
    expect((await findMue(em(), '36415', { releaseId: s.release.id }))!.value).toBe(2);
    expect((await releasesInForce(em(), '2026-04-01')).map((r) => `${r.system} ${r.version}`)).toEqual(['mue 2026Q2', 'ncci 2026Q2']);
  });

  it('says the layout is wrong before it asks for an effective date', async () => {
    const asPtp = join(tmp, 'edits.txt');
    copyFileSync(MUE_Q1, asPtp);
    const err = await importCodeFile(t.orm, { system: 'ncci', file: asPtp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/^line 8: no NCCI edit rows found/);
    const asMue = join(tmp, 'limits.csv');
    copyFileSync(Q1, asMue);
    await expect(importCodeFile(t.orm, { system: 'mue', file: asMue })).rejects.toThrow(/no MUE rows found/);
    // The right kind of file with a name that says nothing: then the date is asked for.
    const plain = join(tmp, 'ptp.txt');
    writeFileSync(plain, Buffer.concat([readFileSync(Q1), Buffer.from('\r\n')]));
    await expect(codesImport(t.orm, 'ncci', plain, {})).rejects.toThrow(/--effective YYYY-MM-DD is required/);
  });

  it('lets a cache see a release imported by another process within 2 s, and its own at once', async () => {
    const cache = new CodeCache();
    expect((await lookupCode(em(), '97032', { date: '2026-05-01', cache })).listedIn).toEqual(['ncci']);
    expect((await findNcciEdit(em(), 'G0283', '97032', { date: '2026-08-01', cache }))!.release.version).toBe('2026Q2');
    const q3 = join(tmp, 'ccipra-v322r0-f1.txt');
    writeFileSync(q3, readFileSync(Q1, 'latin1').replace('29125\t29105\t\t20100101\t*\t1', '29125\t29105\t\t20100101\t*\t0'), 'latin1');
    const other = await openDatabase(t.db, { migrate: false });
    try {
      expect(await importCodeFile(other, { system: 'ncci', file: q3 })).toMatchObject({ release: { version: '2026Q3', effectiveDate: '2026-07-01' } });
    } finally {
      await other.close(true);
    }
    await new Promise((r) => setTimeout(r, 2100));
    expect(await findNcciEdit(em(), 'G0283', '97032', { date: '2026-08-01', cache })).toBeNull();
    expect((await findNcciEdit(em(), '29105', '29125', { date: '2026-08-01', cache }))!.modifierIndicator).toBe('0');
    const q4 = join(tmp, 'ccipra-v323r0-f1.txt');
    writeFileSync(q4, readFileSync(Q2[1]));
    await importCodeFile(t.orm, { system: 'ncci', file: q4, cache });
    expect((await findNcciEdit(em(), 'G0283', '97032', { date: '2026-10-01', cache }))!.release.version).toBe('2026Q4');
  });
});

describe.each(TEST_DRIVERS)('NCCI releases imported in any order (%s)', (driver) => {
  const orders = [[0, 1, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0]];
  const dbs: TestDatabase[] = [];
  let tmp: string;
  let files: (string | string[])[];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'casedesk-order-'));
    // 2026Q3 lists what 2026Q1 listed: the 2026Q2 changes are undone a quarter later.
    const q3 = join(tmp, 'ccipra-v322r0-f1.txt');
    writeFileSync(q3, Buffer.concat([readFileSync(Q1), Buffer.from('\r\n')]));
    files = [Q1, Q2, q3];
    for (const order of orders) {
      const t = await createTestDatabase(driver);
      dbs.push(t);
      for (const i of order) await importCodeFile(t.orm, { system: 'ncci', file: files[i] });
    }
  });
  afterAll(async () => {
    for (const t of dbs) await t.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('gives every pair the same answer on every date, whatever the import order', async () => {
    const answers = async (t: TestDatabase) => {
      const out: unknown[] = [];
      for (const [a, b] of PAIRS) for (const date of DATES) out.push(await findNcciEdit(t.orm.em.fork(), a, b, { date }));
      return out;
    };
    const expected = await answers(dbs[0]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    for (const t of dbs.slice(1)) expect(await answers(t)).toEqual(expected);
  });
});
