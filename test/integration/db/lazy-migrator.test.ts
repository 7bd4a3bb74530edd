import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationState } from '../../../src/db/migrator.ts';
import { migrationNames } from '../../../src/db/migrations/names.ts';
import { openDatabase } from '../../../src/db/orm.ts';
import type { DatabaseConfig } from '../../../config/index.ts';
import { createTestDatabase, dataKeyEnv, emptyDatabase, TEST_DRIVERS } from '../../support/db.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'casedesk-lazy-migrator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The compiled CLI imports MikroORM from its bundle in dist/vendor/ (scripts/build.mjs).
const MIGRATIONS_PACKAGE = /node_modules\/@mikro-orm\/migrations\/|dist\/vendor\/migrations\.js$/;
const CORE_PACKAGE = /node_modules\/@mikro-orm\/core\/|dist\/vendor\/core\.js$/;

/** Run the real (compiled) CLI with the import trace hook; the modules it loaded. */
function casedesk(t: { db: DatabaseConfig }, args: string[], name: string, env: Record<string, string | undefined> = dataKeyEnv(t.db), input = ''): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const file = join(dir, `${name}.txt`);
  const run = spawnSync(process.execPath, ['--import', './test/support/trace-imports.mjs', 'bin/casedesk.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, DATABASE_URL: t.db.driver === 'sqlite' ? t.db.path : t.db.url, ...env, LOG_LEVEL: 'warn', TRACE_IMPORTS_FILE: file },
  });
  let modules: string[] = [];
  try {
    modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch { /* nothing loaded through the hook */ }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, modules };
}

/** The migrator (umzug, the migration classes) loads only when a migration is pending. */
describe.each(TEST_DRIVERS)('migrator loaded only when needed (%s)', (driver) => {
  it('a read-only command on an up-to-date database does not load @mikro-orm/migrations', async () => {
    const t = await createTestDatabase(driver);
    try {
      const run = casedesk(t, ['codes', 'lookup', 'M54.5'], `${driver}-lookup`);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('M54.5');
      expect(run.modules.some((m) => CORE_PACKAGE.test(m))).toBe(true); // the hook sees the ORM load
      // …from the bundle: none of the ~700 CommonJS files of MikroORM and knex in node_modules.
      expect(run.modules.filter((m) => /node_modules\/(?:@mikro-orm|knex)\//.test(m))).toEqual([]);
      expect(run.modules.filter((m) => MIGRATIONS_PACKAGE.test(m) || /src\/db\/migrations\/(?:sqlite|postgresql)\//.test(m))).toEqual([]);
    } finally {
      await t.drop();
    }
  });

  it('code look-ups and suggest open no keyring: no development no-key banner on them, while a command that reads mail content keeps it', async () => {
    const t = await createTestDatabase(driver);
    try {
      for (const args of [['codes', 'lookup', 'M54.5'], ['codes', 'ncci', '97110', '97530'], ['codes', 'releases']]) {
        const run = casedesk(t, args, `${driver}-keyless-${args[1]}`, { DATA_KEY: undefined, DATA_KEY_FILE: undefined, NODE_ENV: 'development' });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).not.toContain('DATA_KEY');
      }
      const suggest = casedesk(t, ['suggest', '--json'], `${driver}-keyless-suggest`, { DATA_KEY: undefined, DATA_KEY_FILE: undefined, NODE_ENV: 'development' }, 'Subject: q\n\nWhat does Z79.4 mean?\n');
      expect(suggest.status, suggest.stderr).toBe(0);
      expect(Object.keys(JSON.parse(suggest.stdout))).toEqual(['intents', 'answer', 'facts', 'missing']);
      expect(suggest.stderr).not.toContain('DATA_KEY');
      const drafts = casedesk(t, ['drafts', 'list'], `${driver}-keyed`, { DATA_KEY: undefined, DATA_KEY_FILE: undefined, NODE_ENV: 'development' });
      expect(drafts.status, drafts.stderr).toBe(0);
      expect(drafts.stderr).toContain('no DATA_KEY');
    } finally {
      await t.drop();
    }
  });

  it('on a fresh database db migrate loads the migrator and applies every migration; run again, it loads nothing', async () => {
    const fresh = await emptyDatabase(driver);
    try {
      const first = casedesk(fresh, ['db', 'migrate'], `${driver}-migrate-1`);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain(`(${migrationNames[driver].length} migrations applied)`);
      expect(first.modules.some((m) => MIGRATIONS_PACKAGE.test(m))).toBe(true);
      const again = casedesk(fresh, ['db', 'migrate'], `${driver}-migrate-2`);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`(${migrationNames[driver].length} migrations applied)`);
      expect(again.modules.filter((m) => MIGRATIONS_PACKAGE.test(m))).toEqual([]);
      const orm = await openDatabase(fresh.db, { migrate: false });
      try {
        expect(await migrationState(orm)).toEqual({ executed: [...migrationNames[driver]], pending: [] });
      } finally {
        await orm.close(true);
      }
    } finally {
      await fresh.cleanup();
    }
  });
});
