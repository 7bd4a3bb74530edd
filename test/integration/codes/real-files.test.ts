import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestInRelease } from '../../../src/codes/code-table.ts';
import { CodeEntry } from '../../../src/codes/code-entry.entity.ts';
import { CodeCache, importCodeFile, lookupCode, searchCodes, type ImportSummary } from '../../../src/codes/index.ts';
import { codesLookup, codesSearch } from '../../../src/cli/commands/codes.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { HAVE_SHARED_DATA, SHARED_DATA } from '../../support/shared-data.ts';

// The official files, beside the repository (never copied into it).
const DATA = SHARED_DATA;
const ORDER_2025 = `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt`;
const CODES_2025 = `${DATA}/icd10cm/fy2025/icd10cm_codes_2025.txt`;
const CODES_2026 = `${DATA}/icd10cm/fy2026/icd10cm-codes-2026.txt`;
const HCPCS_2025 = `${DATA}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt`;
const PCS_2026 = `${DATA}/icd10pcs/fy2026/icd10pcs-codes-2026.txt.gz`;

/** Every 500th line of the FY2025 codes file: code and long description, as the file has them. */
async function sampleCodes2025(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(CODES_2025) })) {
    if (n++ % 500 === 0) out.push([line.slice(0, 7).trim(), line.slice(8).trim()]);
  }
  return out;
}

describe.skipIf(!HAVE_SHARED_DATA).each(TEST_DRIVERS)('code database with the official files (%s)', (driver) => {
  let t: TestDatabase;
  const summaries: Record<string, ImportSummary> = {};
  const em = () => t.orm.em.fork();

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    summaries.order2025 = await importCodeFile(t.orm, { system: 'icd10cm', file: ORDER_2025 });
    summaries.codes2026 = await importCodeFile(t.orm, { system: 'icd10cm', file: CODES_2026 });
    summaries.hcpcs = await importCodeFile(t.orm, { system: 'hcpcs', file: HCPCS_2025 });
    summaries.pcs = await importCodeFile(t.orm, { system: 'icd10pcs', file: PCS_2026 });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('imports the FY2025 order file: 74,260 billable codes and 23,324 headers', async () => {
    const s = summaries.order2025;
    expect(s.release).toMatchObject({ system: 'icd10cm', layout: 'order', version: 'FY2025', effectiveDate: '2024-10-01', sourceFile: 'icd10cm_order_2025.txt' });
    expect([s.rowsRead, s.added, s.rejected.length]).toEqual([97_584, 97_584, 0]);
    const id = s.release.id;
    expect(await em().count(CodeEntry, { releaseId: id, kind: 'code' })).toBe(74_260);
    expect(await em().count(CodeEntry, { releaseId: id, kind: 'header' })).toBe(23_324);
  });

  it('imports HCPCS 2025: 8,259 procedure codes and 383 modifiers', async () => {
    const s = summaries.hcpcs;
    expect(s.release).toMatchObject({ version: '2025-01', effectiveDate: '2025-01-01' });
    expect(await em().count(CodeEntry, { releaseId: s.release.id, kind: 'code' })).toBe(8_259);
    expect(await em().count(CodeEntry, { releaseId: s.release.id, kind: 'modifier' })).toBe(383);
  });

  it('imports the FY2026 codes file and the gzip ICD-10-PCS file, counting changes against FY2025', () => {
    expect(summaries.codes2026).toMatchObject({ rowsRead: 74_719, rejected: [], release: { layout: 'codes', version: 'FY2026', effectiveDate: '2025-10-01' }, previous: { version: 'FY2025' } });
    // Billable codes only: a codes file has no headers to compare.
    expect(74_260 + summaries.codes2026.added - summaries.codes2026.ended).toBe(74_719);
    expect(summaries.pcs).toMatchObject({ rowsRead: 79_115, added: 79_115, rejected: [], release: { version: 'FY2026', effectiveDate: '2025-10-01' } });
  });

  it('importing the same file again is a no-op', async () => {
    const again = await importCodeFile(t.orm, { system: 'hcpcs', file: HCPCS_2025 });
    expect(again).toMatchObject({ skipped: true, rowsRead: 0, release: { id: summaries.hcpcs.release.id } });
  });

  it('answers M54.5 as of 2025-01-01 as a header with its billable children', async () => {
    const r = await lookupCode(em(), 'M54.5', { date: '2025-01-01' });
    expect(r).toMatchObject({ system: 'icd10cm', code: 'M54.5', status: 'valid', billable: false, header: true, longDescription: 'Low back pain', release: { version: 'FY2025' } });
    expect(r.children!.map((c) => c.code)).toEqual(['M54.50', 'M54.51', 'M54.59']);
    const text = (await codesLookup(em(), 'm545', { date: '2025-01-01' })).text;
    expect(text).toContain('M54.5  ICD-10-CM  header (not billable)  valid on 2025-01-01');
    expect(text).toContain('    M54.51  Vertebrogenic low back pain');
  });

  it('matches a sample of the FY2025 codes file and the checked codes of the data README', async () => {
    for (const [code, description] of await sampleCodes2025()) {
      const r = await lookupCode(em(), code, { date: '2025-06-01' });
      expect(r, code).toMatchObject({ system: 'icd10cm', status: 'valid', billable: true, longDescription: description });
    }
    expect(await lookupCode(em(), 'S52501A', { date: '2025-06-01' })).toMatchObject({ code: 'S52.501A', longDescription: 'Unspecified fracture of the lower end of right radius, initial encounter for closed fracture' });
    expect(await lookupCode(em(), 'A00', { date: '2025-06-01' })).toMatchObject({ header: true, billable: false, childCount: 3 });
    expect((await lookupCode(em(), 'L3908', { date: '2025-06-01' })).longDescription).toBe('Wrist hand orthosis, wrist extension control cock-up, non molded, prefabricated, off-the-shelf');
    expect((await lookupCode(em(), 'A4253', { date: '2025-06-01' })).longDescription).toMatch(/^Blood glucose test or reagent strips for home blood glucose monitor, per 50/);
    expect((await lookupCode(em(), 'G0283', { date: '2025-06-01' })).longDescription).toMatch(/^Electrical stimulation \(unattended\), to one or more areas for indication\(s\)/);
    for (const m of ['LT', 'RT', 'XE', 'XS', 'XP', 'XU', 'GA', 'GY', 'GZ', 'KX']) {
      expect(await lookupCode(em(), m, { date: '2025-06-01' }), m).toMatchObject({ system: 'modifier', status: 'valid', release: { system: 'hcpcs' } });
    }
    expect(await lookupCode(em(), '0016070', { date: '2026-01-01' })).toMatchObject({ system: 'icd10pcs', status: 'valid', longDescription: 'Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open Approach' });
  });

  it('answers as of a date across FY2025 and FY2026', async () => {
    // D71 was billable in FY2025 and split into D71.x in FY2026.
    expect(await lookupCode(em(), 'D71', { date: '2025-09-30' })).toMatchObject({ status: 'valid', billable: true, endDate: '2025-09-30', release: { version: 'FY2025' } });
    expect(await lookupCode(em(), 'D71', { date: '2025-10-01' })).toMatchObject({ status: 'valid', header: true, headerDerived: true, release: { version: 'FY2026' } });
    // A code gone in FY2026 and not a category of anything: ended.
    // S30.1XXA (contusion of abdominal wall) was replaced by new codes in FY2026; nothing extends it.
    const gone = [{ code: 'S301XXA' }];
    expect(await lookupCode(em(), gone[0].code, { date: '2025-06-01' })).toMatchObject({ status: 'valid', endDate: '2025-09-30' });
    expect(await lookupCode(em(), gone[0].code, { date: '2026-01-01' })).toMatchObject({ status: 'ended', endDate: '2025-09-30', release: { version: 'FY2025' } });
    // A code new in FY2026.
    expect(await lookupCode(em(), 'QA00101', { date: '2025-06-01' })).toMatchObject({ status: 'not-yet-valid', startDate: '2025-10-01', code: 'QA0.0101' });
    expect(await lookupCode(em(), 'QA00101', { date: '2025-10-01' })).toMatchObject({ status: 'valid', longDescription: 'SCN2A-related neurodevelopmental disorder' });
    // Headers survive a codes-only release, derived from its billable codes.
    const m545 = await lookupCode(em(), 'M54.5', { date: '2026-01-01' });
    expect(m545).toMatchObject({ header: true, headerDerived: true, shortDescription: 'Low back pain', release: { version: 'FY2026' } });
    expect(m545.children!.map((c) => c.code)).toEqual(['M54.50', 'M54.51', 'M54.59']);
    // Before any release: not yet valid.
    expect((await lookupCode(em(), 'E11.9', { date: '2020-01-01' })).status).toBe('not-yet-valid');
  });

  it('uses HCPCS termination dates and reports the closest codes of an unknown one', async () => {
    const ended = (await em().getConnection().execute(
      "select code, valid_to from code_entry where release_id = ? and valid_to is not null and valid_to < '2025-01-01' and kind = 'code' order by code limit 1",
      [summaries.hcpcs.release.id],
    )) as { code: string; valid_to: string }[];
    expect(await lookupCode(em(), ended[0].code, { date: '2025-06-01' })).toMatchObject({ system: 'hcpcs', status: 'ended', endDate: ended[0].valid_to });
    const unknown = await lookupCode(em(), 'M54.7', { date: '2025-06-01' });
    expect(unknown.status).toBe('unknown');
    expect(unknown.closest!.length).toBeGreaterThan(0);
    expect(unknown.closest!.every((c) => c.code.startsWith('M54'))).toBe(true);
    const incomplete = await lookupCode(em(), 'S82.821X', { date: '2025-06-01' });
    expect(incomplete.status).toBe('unknown');
    expect(incomplete.closest!.map((c) => c.code)).toContain('S82.821A');
  });

  it('answers the same from a code\'s neighbourhood (cold process, or inside a transaction) as from whole releases', async () => {
    const inputs: [string, string][] = [
      ['M54.5', '2025-01-01'], ['M54.5', '2026-01-01'], ['D71', '2025-09-30'], ['D71', '2025-10-01'], ['S301XXA', '2025-06-01'], ['S301XXA', '2026-01-01'],
      ['QA00101', '2025-06-01'], ['E11.9', '2020-01-01'], ['M54.7', '2025-06-01'], ['S82.821X', '2025-06-01'], ['Z99.999', '2025-06-01'], ['L3999', '2026-03-01'],
      ['A00', '2025-06-01'], ['A0', '2025-06-01'], ['S72', '2025-01-01'], ['L3908', '2025-06-01'], ['LT', '2025-06-01'], ['0016070', '2026-01-01'], ['0DTJ4ZZ', '2025-06-01'],
      ['0DTJ4ZQ', '2026-01-01'], ['99213', '2025-06-01'], ['25', '2025-06-01'], ['M5450', '2025-06-01'], ['B88.0', '2026-01-01'], ['!!', '2025-06-01'], ['', '2025-06-01'],
    ];
    const cold = await openDatabase(t.db, { migrate: false });
    try {
      for (const [code, date] of inputs) {
        const warm = await lookupCode(em(), code, { date });
        const fromNeighbourhood = await cold.em.fork().transactional((tem) => lookupCode(tem, code, { date }));
        expect(fromNeighbourhood, `${code} ${date}`).toEqual(warm);
      }
      const [code, date] = ['S72.001A', '2025-06-01'];
      expect(await lookupCode(cold.em.fork(), code, { date }), 'first lookup of the process').toEqual(await lookupCode(em(), code, { date }));
    } finally {
      await cold.close(true);
    }
  });

  it('holds, for a code asked about, only the code and the codes under it in each release, within its row bound', async () => {
    const cache = new CodeCache({ maxTableRows: 60 });
    await lookupCode(em(), 'S72.001A', { date: '2025-06-01', cache });
    expect(cache.tables.size).toBe(2); // its row in FY2025 and in FY2026, not the thousands of category S72
    const header = await lookupCode(em(), 'S72.001', { date: '2025-06-01', cache });
    expect(header).toMatchObject({ header: true, childCount: 16 });
    expect(cache.tables.size).toBe(2 + 17 + 16); // the header and its 16 codes in FY2025; the codes-only FY2026 file lists no headers
    for (const [code] of (await sampleCodes2025()).slice(0, 40)) await lookupCode(em(), code, { date: '2025-06-01', cache });
    expect(cache.tables.size).toBeLessThanOrEqual(60);
    expect(cache.tables.size).toBeGreaterThan(40);
  });

  it('lists a large header\'s first 100 children and counts them all, in code order', async () => {
    const cache = new CodeCache();
    for (const [code, date] of [['S72', '2025-06-01'], ['T50', '2025-06-01'], ['S72', '2026-01-01'], ['S72.0', '2025-06-01']]) {
      const compact = code.replace('.', '');
      const answer = await lookupCode(em(), code, { date, cache });
      const release = (await cache.releases.load(em())).find((r) => r.system === 'icd10cm' && r.version === answer.release?.version)!;
      const rows = (await em().getConnection().execute("select code, long_description from code_entry where release_id = ? and code like ? and code <> ? and kind = 'code'", [release.id, `${compact}%`, compact])) as { code: string; long_description: string }[];
      rows.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      expect(rows.length, code).toBeGreaterThan(200);
      expect(answer.childCount, `${code} ${date}`).toBe(rows.length);
      expect(answer.children!.map((c) => c.code.replace('.', '')), `${code} ${date}`).toEqual(rows.slice(0, 100).map((r) => r.code));
      expect(answer.children![0].description).toBe(rows[0].long_description);
    }
  });

  it('finds the closest codes of an unknown one as trying every shorter prefix would', async () => {
    // The rule, spelled out: the longest prefix (at least 2 characters) that other codes of the release start with, its first 5 codes.
    const release = (await new CodeCache().releases.load(em())).find((r) => r.system === 'icd10cm' && r.layout === 'order')!;
    const reference = async (code: string) => {
      for (let len = code.length; len >= 2; len -= 1) {
        const prefix = code.slice(0, len);
        const rows = (await em().getConnection().execute('select code, long_description from code_entry where release_id = ? and code like ? and code <> ? order by code', [release.id, `${prefix}%`, code])) as { code: string; long_description: string }[];
        rows.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
        if (rows.length) return rows.slice(0, 5).map((r) => ({ code: r.code, description: r.long_description }));
      }
      return [];
    };
    const codes = ['S82821X', 'M547', 'Z99999', 'A0', 'A00', 'A000', 'E119Z', 'S72001', 'T50B95A', 'Z', 'ZZZZ', '00', 'R6', 'F32A1', 'M5450', 'Q999', 'V0000XA', 'A09'];
    for (const [c] of (await sampleCodes2025()).slice(0, 30)) codes.push(`${c}9`, c.slice(0, -1) + 'Z');
    for (const code of codes) expect(await closestInRelease(em(), release, code), code).toEqual(await reference(code));
  });

  it('sees a release imported by another process within the 2 s window', async () => {
    const other = await openDatabase(t.db, { migrate: false });
    try {
      expect(await lookupCode(em(), 'A000', { date: '2100-01-01' })).toMatchObject({ status: 'valid', release: { version: 'FY2026' } });
      await importCodeFile(other, { system: 'icd10cm', file: CODES_2025, effective: '2099-10-01', version: 'FY2100-test' });
      await new Promise((r) => setTimeout(r, 2100));
      const after = await lookupCode(em(), 'A000', { date: '2100-01-01' });
      expect(after).toMatchObject({ status: 'valid', release: { version: 'FY2100-test' } });
    } finally {
      await other.close(true);
    }
  });

  it('searches descriptors tolerant of word order, plurals and typos', async () => {
    // One cache for the queries, as a process keeps it: the index of the real releases is built
    // once (seconds), not once per query; codesSearch below (the CLI's, no cache) builds its own.
    const cache = new CodeCache();
    const top = async (q: string, system?: string) => (await searchCodes(em(), q, { system, limit: 3, cache })).map((h) => h.code);
    expect(await top('low back pain')).toContain('M54.50');
    expect(await top('pain low back')).toContain('M54.50');
    expect((await top('wrist hand orthosis cock-up'))[0]).toBe('L3908');
    expect((await top('wrist hand orthoses cockup'))[0]).toBe('L3908');
    expect((await top('diabetis type 2 without complications'))[0]).toBe('E11.9');
    expect((await top('blood glucose test strip home', 'hcpcs'))).toContain('A4253');
    expect((await top('left side', 'modifier'))[0]).toBe('LT');
    expect(await searchCodes(em(), 'of the', { cache })).toEqual([]);
    expect((await codesSearch(em(), 'low back pain', { limit: 3 })).text).toMatch(/^M54\.5\d\s+ICD-10-CM\s+/);
  });
});
