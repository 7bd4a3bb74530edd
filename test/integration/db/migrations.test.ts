import { describe, expect, it } from 'vitest';
import { loadMigrator } from '../../../src/db/migrator.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { emptyDatabase, TEST_DRIVERS } from '../../support/db.ts';

/**
 * The migrations alone must produce exactly the schema the entities describe, on both drivers:
 * an entity changed without `npx tsx scripts/make-migrations.ts <name>` fails here.
 */
describe.each(TEST_DRIVERS)('migrations on %s', (driver) => {
  it('bring an empty database to the entities’ schema, and a second run is a no-op', async () => {
    const { db, cleanup } = await emptyDatabase(driver);
    try {
      const orm = await openDatabase(db, { migrate: true });
      try {
        const migrator = await loadMigrator(orm);
        expect((await migrator.getExecutedMigrations()).length).toBeGreaterThan(0);
        expect(await migrator.getPendingMigrations()).toEqual([]);
        expect((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
      } finally {
        await orm.close(true);
      }
      const again = await openDatabase(db, { migrate: true });
      await again.close(true);
    } finally {
      await cleanup();
    }
  });
});
