import { describe, expect, it } from 'vitest';
import { findNcciEdit, importCodeFile } from '../../../src/codes/index.ts';
import { loadMigrator } from '../../../src/db/migrator.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { emptyDatabase, TEST_DRIVERS } from '../../support/db.ts';

/** NCCI rows imported before edits were stored as versions (one copy per release) keep their answers. */
describe.each(TEST_DRIVERS)('NCCI rows stored per release, migrated (%s)', (driver) => {
  it('answers every date as before, and a new quarter imports on top', async () => {
    const { db, cleanup } = await emptyDatabase(driver);
    try {
      const orm = await openDatabase(db, { migrate: false });
      try {
        const migrator = await loadMigrator(orm);
        await migrator.up({ to: 'Migration20261127052252_initial' });
        const conn = orm.em.getConnection();
        const release = `insert into code_release (id, system, layout, version, effective_date, source_file, checksum, rows_read, rows_added, rows_changed, rows_ended, rows_rejected, imported_at)
          values (?, 'ncci', 'ncci', ?, ?, ?, ?, 0, 0, 0, 0, 0, ?)`;
        await conn.execute(release, [1, '2025Q4', '2025-10-01', 'old-q4.txt', 'c1', new Date()]);
        await conn.execute(release, [2, '2026Q1', '2026-01-01', 'old-q1.txt', 'c2', new Date()]);
        if (driver === 'postgresql') await conn.execute("select setval(pg_get_serial_sequence('code_release', 'id'), 2)");
        const edit = `insert into ncci_edit (release_id, column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale) values (?, ?, ?, ?, ?, ?, ?, ?)`;
        await conn.execute(edit, [1, '29125', '29105', false, '2010-01-01', null, '1', 'Standards of medical / surgical practice']);
        await conn.execute(edit, [2, '29125', '29105', false, '2010-01-01', null, '0', 'Standards of medical / surgical practice']);
        await conn.execute(edit, [2, '97140', '97530', false, '2020-01-01', null, '1', 'Mutually exclusive procedures']);
        await migrator.up();
        const em = () => orm.em.fork();
        expect((await findNcciEdit(em(), '29105', '29125', { date: '2025-12-01' }))!.modifierIndicator).toBe('1');
        expect((await findNcciEdit(em(), '29105', '29125', { date: '2026-02-01' }))!.modifierIndicator).toBe('0');
        expect(await findNcciEdit(em(), '97140', '97530', { date: '2025-12-01' })).toBeNull();
        expect(await findNcciEdit(em(), '97140', '97530', { date: '2026-02-01' })).toMatchObject({ modifierIndicator: '1', release: { version: '2026Q1' } });
        const q2 = await importCodeFile(orm, { system: 'ncci', file: ['test/fixtures/codes/ccipra-v321r0-f1.txt', 'test/fixtures/codes/ccipra-v321r0-f2.txt'] });
        expect(q2).toMatchObject({ previous: { version: '2026Q1' }, changed: 0 });
        expect((await findNcciEdit(em(), '29105', '29125', { date: '2026-04-01' }))!.modifierIndicator).toBe('0');
        expect((await findNcciEdit(em(), '29105', '29125', { date: '2025-12-01' }))!.modifierIndicator).toBe('1');
      } finally {
        await orm.close(true);
      }
    } finally {
      await cleanup();
    }
  });
});
