import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/index.ts';
import { openDatabase, type Orm } from '../../src/db/orm.ts';

export type TestDriver = 'sqlite' | 'postgresql';

/** The PostgreSQL server tests create their own databases on (trust auth on loopback). */
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Drivers the integration suite runs on; TEST_DRIVERS=sqlite narrows it for a quick local run. */
export const TEST_DRIVERS: TestDriver[] = (process.env.TEST_DRIVERS ?? 'sqlite,postgresql')
  .split(',')
  .map((d) => d.trim())
  .filter((d): d is TestDriver => d === 'sqlite' || d === 'postgresql');

/**
 * The master key test databases are encrypted with (the suite runs as production does: content
 * encrypted). TEST_DATA_KEY=off runs the suite without a key (the development path).
 */
export const TEST_DATA_KEY = process.env.TEST_DATA_KEY ?? 'Zl4u0cN3mFvbd3xH9m0JtQbLgk3l8Qm1bFv1q2yH6o4=';

function testDataKey(key: string | null | undefined): DatabaseConfig['dataKey'] {
  const k = key === undefined ? TEST_DATA_KEY : key;
  return k && k !== 'off' ? { key: k, nodeEnv: 'test' } : { nodeEnv: 'test' };
}

export interface TestDatabaseOptions {
  /** The master key (base64); null: no key (plaintext, the development path). Default TEST_DATA_KEY. */
  dataKey?: string | null;
}

export interface TestDatabase {
  db: DatabaseConfig;
  orm: Orm;
  /** Close the ORM and delete the database. */
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A database without a single table, not migrated: a new PostgreSQL database, or a SQLite path
 * not yet created. For tests of the migrations themselves.
 */
export async function emptyDatabase(driver: TestDriver): Promise<{ db: DatabaseConfig; cleanup: () => Promise<void> }> {
  if (driver === 'postgresql') {
    const name = `cd_empty_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await adminQuery(`create database ${name}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    return { db: { driver, url: url.toString() }, cleanup: () => adminQuery(`drop database if exists ${name} with (force)`) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cd-empty-'));
  return { db: { driver, path: join(dir, 'empty.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh, empty, migrated database of its own: a temp SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(driver: TestDriver = 'sqlite', options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataKey = testDataKey(options.dataKey);
  if (driver === 'postgresql') {
    const name = `cd_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await adminQuery(`create database ${name}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    const db: DatabaseConfig = { driver: 'postgresql', url: url.toString(), dataKey };
    const orm = await openTestOrm(db);
    return {
      db,
      orm,
      drop: async () => {
        await orm.close(true);
        await adminQuery(`drop database if exists ${name} with (force)`);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-test-'));
  const db: DatabaseConfig = { driver: 'sqlite', path: join(dir, 'test.sqlite'), dataKey };
  const orm = await openTestOrm(db);
  return {
    db,
    orm,
    drop: async () => {
      await orm.close(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The schema comes from the migrations, exactly as in production (test/integration/db checks they match the entities). */
async function openTestOrm(db: DatabaseConfig): Promise<Orm> {
  return openDatabase(db, { migrate: true });
}

/** The environment a process needs to open this database as the test did: DATA_KEY when it is encrypted. */
export function dataKeyEnv(db: DatabaseConfig): Record<string, string> {
  return db.dataKey?.key ? { DATA_KEY: db.dataKey.key } : {};
}
