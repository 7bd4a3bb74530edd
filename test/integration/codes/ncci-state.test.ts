import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCodeFile } from '../../../src/codes/index.ts';
import { loadNcciState } from '../../../src/codes/ncci-store.ts';
import type { NcciRowSet } from '../../../src/codes/ncci-rows.ts';
import { readReleases, releaseKey } from '../../../src/codes/releases.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const FIX = 'test/fixtures/codes';

/** A state as comparable rows: the row, its stored id and its end key. */
function rowsOf(set: NcciRowSet) {
  return Array.from({ length: set.length }, (_, i) => ({ ...set.row(i), id: set.id[i], until: set.until[i] }));
}

describe.each(TEST_DRIVERS)('the stored state of an NCCI release (%s)', (driver) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v311r0-f1.txt`, effective: '2025-01-01' });
    await importCodeFile(t.orm, { system: 'ncci', file: `${FIX}/ccipra-v312r0-f1.txt`, effective: '2025-04-01' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('reads the same rows of each release whether the table is read in one range of ids or in many', async () => {
    const chain = (await readReleases(t.orm.em.fork())).filter((r) => r.system === 'ncci');
    expect(chain.length).toBe(2);
    const states = [];
    for (const release of chain) {
      const whole = await loadNcciState(t.orm.em.fork(), releaseKey(release));
      // Ranges of 2 ids: each range boundary falls between rows of the release and of the other one.
      const ranged = await loadNcciState(t.orm.em.fork(), releaseKey(release), 2);
      expect(whole.length).toBeGreaterThan(3);
      expect(whole.isSorted()).toBe(true);
      expect(rowsOf(ranged)).toEqual(rowsOf(whole));
      states.push(rowsOf(whole));
    }
    // The second quarter changed some edits: the two states differ, and each holds only its own versions.
    expect(states[0]).not.toEqual(states[1]);
    expect(new Set(states[1].map((r) => r.id)).size).toBe(states[1].length);
  });
});
