import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeCache, findNcciEdit, importCodeFile } from '../../../src/codes/index.ts';
import { buildPairIndex } from '../../../src/codes/pair-index.ts';
import { ncciChain } from '../../../src/codes/releases.ts';
import { query } from '../../../src/codes/sql.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const FIX = 'test/fixtures/codes';
/** Every pair of the fixtures (and a few they do not list), on dates across the quarters. */
const PAIRS = [
  ['20610', '76942'], ['29125', '29105'], ['36415', '36416'], ['97110', '97530'], ['97140', '97530'], ['99213', 'G0283'], ['G0283', '97032'],
  ['97140', '97750'], ['99213', '99214'], ['M54.5', '97140'], ['9714', '97530'],
];
const DATES = ['2019-06-01', '2024-06-01', '2025-12-31', '2026-01-01', '2026-03-31', '2026-04-01', '2026-06-30', '2026-12-01'];

describe.each(TEST_DRIVERS)('NCCI pair index (%s)', (driver) => {
  let t: TestDatabase;
  const em = () => t.orm.em.fork();

  /** Every answer of the fixtures' pairs, both orders, every date, through a cache. */
  async function answers(cache: CodeCache): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const [a, b] of PAIRS) for (const date of DATES) for (const [x, y] of [[a, b], [b, a]]) out.push(await findNcciEdit(em(), x, y, { date, cache }));
    return out;
  }

  async function storedChain(): Promise<string> {
    return ncciChain(await new CodeCache().releases.load(em()));
  }

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v320r0-f1.txt` });
    await importCodeFile(t.orm, { system: 'ncci', file: [`${FIX}/ccipra-v321r0-f1.txt`, `${FIX}/ccipra-v321r0-f2.txt`] });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('answers every pair, date and order as the database does, from every stored version', async () => {
    const indexed = new CodeCache({ pairIndex: true });
    await indexed.warmPairIndex(em());
    const index = indexed.pairs!.get(em(), await storedChain());
    expect(index).toBeDefined();
    const [{ n }] = await query(em(), 'select count(*) as n from ncci_edit');
    expect(index!.rows).toBe(Number(n));
    const expected = await answers(new CodeCache());
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    expect(await answers(indexed)).toEqual(expected);
  });

  it('reads the database until its index is built, then answers without it', async () => {
    const indexed = new CodeCache({ pairIndex: true });
    // Not warmed: the first lookup starts the build and is answered by the database meanwhile.
    expect(await findNcciEdit(em(), '97530', '97140', { date: '2026-02-01', cache: indexed })).toMatchObject({ column1: '97140', modifierIndicator: '1' });
    await indexed.warmPairIndex(em());
    const before = await answers(new CodeCache());
    // The edits gone from the table (the release list unchanged): only an index still answers.
    await query(em(), 'create table ncci_saved as select * from ncci_edit');
    try {
      await query(em(), 'delete from ncci_edit');
      expect(await findNcciEdit(em(), '97530', '97140', { date: '2026-02-01', cache: new CodeCache() })).toBeNull();
      expect(await answers(indexed)).toEqual(before);
    } finally {
      await query(em(), 'insert into ncci_edit select * from ncci_saved');
      await query(em(), 'drop table ncci_saved');
    }
    expect(await answers(new CodeCache())).toEqual(before);
  });

  it('answers a release imported after the index was built at once, and builds the index again for it', async () => {
    const indexed = new CodeCache({ pairIndex: true, ttlMs: 0 });
    await indexed.warmPairIndex(em());
    const old = await storedChain();
    expect(indexed.pairs!.get(em(), old)).toBeDefined();
    // An earlier quarter imported now: its key falls before the two stored ones.
    await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v312r0-f1.txt`, effective: '2025-10-01' });
    const now = await storedChain();
    expect(now).not.toBe(old);
    expect(await findNcciEdit(em(), '20610', '76942', { date: '2025-11-01', cache: indexed })).toMatchObject({ release: { effectiveDate: '2025-10-01' } });
    await indexed.warmPairIndex(em());
    expect(indexed.pairs!.get(em(), now)?.chain).toBe(now);
    expect(await answers(indexed)).toEqual(await answers(new CodeCache()));
  });

  it('is not built when a stored code does not fit it, and pairs are then read from the database', async () => {
    await t.orm.em.fork().transactional(async (tx) => {
      await query(tx, "insert into ncci_edit (column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale, from_key, until_key) values ('0001', '97140', ?, '2020-01-01', null, '1', 'Made-up rationale', 1, null)", [driver === 'sqlite' ? 0 : false]);
      expect(await buildPairIndex(tx, 'x')).toBeNull();
      throw Object.assign(new Error('roll back'), { rollback: true });
    }).catch((err: { rollback?: boolean }) => {
      if (!err.rollback) throw err;
    });
    expect(await buildPairIndex(em(), 'x')).not.toBeNull();
  });
});
