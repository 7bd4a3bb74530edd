import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationNames } from '../../../src/db/migrations/names.ts';
import { postgresqlMigrations } from '../../../src/db/migrations/postgresql/index.ts';
import { sqliteMigrations } from '../../../src/db/migrations/sqlite/index.ts';

const DIR = resolve(import.meta.dirname, '../../../src/db/migrations');

/**
 * Every open compares the migrations table with migrations/names.ts to decide whether to load the
 * migrator at all: a migration missing from that list would never run on an existing database.
 */
describe('the list of migration names', () => {
  it.each([
    ['sqlite', sqliteMigrations],
    ['postgresql', postgresqlMigrations],
  ] as const)('%s: names every migration file and the index, in order', (driver, list) => {
    const files = readdirSync(join(DIR, driver)).filter((f) => /^Migration\d+.*\.ts$/.test(f)).sort().map((f) => f.replace(/\.ts$/, ''));
    expect(migrationNames[driver]).toEqual(files);
    expect(list.map((m) => m.name)).toEqual(files);
  });
});
