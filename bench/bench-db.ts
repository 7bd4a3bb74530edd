import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../config/index.ts';
import { openDatabase, type Orm } from '../src/db/orm.ts';

/** Where the benches create and drop their PostgreSQL databases (BENCH_PG_URL). */
export const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database of `driver` for `fn` (a new PostgreSQL database or a SQLite file in a temporary folder), dropped afterwards. */
export async function withBenchDb<T>(driver: string, fn: (orm: Orm, db: DatabaseConfig) => Promise<T>): Promise<T> {
  let db: DatabaseConfig;
  let cleanup: () => Promise<void>;
  if (driver === 'postgresql') {
    const name = `cd_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await admin(`create database ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    db = { driver: 'postgresql', url: url.toString() };
    cleanup = () => admin(`drop database if exists ${name} with (force)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'casedesk-bench-'));
    db = { driver: 'sqlite', path: join(dir, 'bench.sqlite') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const orm = await openDatabase(db);
  try {
    return await fn(orm, db);
  } finally {
    await orm.close(true);
    await cleanup();
  }
}
