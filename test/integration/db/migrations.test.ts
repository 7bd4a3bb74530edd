import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../../config/index.ts';
import { loadMigrator } from '../../../src/db/migrator.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import { TEST_DRIVERS, TEST_PG_URL } from '../../support/db.ts';

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * The migrations alone must produce exactly the schema the entities describe, on both drivers:
 * an entity changed without `npx tsx scripts/make-migrations.ts <name>` fails here.
 */
describe.each(TEST_DRIVERS)('migrations on %s', (driver) => {
  it('bring an empty database to the entities’ schema, and a second run is a no-op', async () => {
    let db: DatabaseConfig;
    let cleanup: () => Promise<void>;
    if (driver === 'postgresql') {
      const name = `cd_mig_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      await admin(`create database ${name}`);
      const url = new URL(TEST_PG_URL);
      url.pathname = `/${name}`;
      db = { driver, url: url.toString() };
      cleanup = () => admin(`drop database if exists ${name} with (force)`);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'cd-mig-'));
      db = { driver, path: join(dir, 'm.sqlite') };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
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
