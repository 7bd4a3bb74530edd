import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { DatabaseConfig } from '../../config/index.ts';
import type { Orm } from '../shared/db.ts';
import { ConnectionError, isConnectionFailure, redactUrl } from '../shared/connection-error.ts';
import { ConfigError } from '../shared/errors.ts';
import { allEntities } from './entities.ts';
import { postgresqlMigrations } from './migrations/postgresql/index.ts';
import { sqliteMigrations } from './migrations/sqlite/index.ts';

export type { EntityManager, Orm } from '../shared/db.ts';

/** MikroORM options for one database; the same entities, a migration list per driver. */
export function ormOptions(db: DatabaseConfig): Options {
  const common = {
    entities: allEntities,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  } satisfies Options;
  if (db.driver === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: db.url,
      pool: { min: 0, max: 10 },
      migrations: { tableName: 'mikro_orm_migrations', migrationsList: postgresqlMigrations, transactional: true, snapshot: false, silent: true },
    };
  }
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: db.path,
    migrations: { tableName: 'mikro_orm_migrations', migrationsList: sqliteMigrations, transactional: true, snapshot: false, silent: true },
  };
}

/**
 * Open the database. With `migrate` (the default) pending migrations run first, so a fresh
 * SQLite file or PostgreSQL database is ready to use; concurrent starters are safe because the
 * migrator runs in one transaction and records what it applied. A SQLite file whose directory
 * does not exist is refused (a mistyped path) unless `create` is set (`casedesk start`,
 * `casedesk db migrate --create`). A server that cannot be reached is a ConnectionError.
 */
export async function openDatabase(db: DatabaseConfig, options: { migrate?: boolean; create?: boolean } = {}): Promise<Orm> {
  if (db.driver === 'sqlite' && db.path !== ':memory:') {
    const dir = dirname(db.path);
    if (!existsSync(dir)) {
      if (!options.create) throw new ConfigError([`DATABASE_URL: the directory ${dir} of the SQLite file ${db.path} does not exist (a typo?); create it, or run \`casedesk db migrate --create\``]);
      mkdirSync(dir, { recursive: true });
    }
  }
  let orm: Orm | null = null;
  try {
    orm = await MikroORM.init(ormOptions(db));
    if (db.driver === 'sqlite') {
      // WAL lets the web page read while a worker writes; several processes may share the file.
      const conn = orm.em.getConnection();
      await conn.execute('pragma journal_mode = wal');
      await conn.execute('pragma busy_timeout = 10000');
      await conn.execute('pragma synchronous = normal');
    } else await orm.em.getConnection().execute('select 1');
    if (options.migrate !== false) await orm.getMigrator().up();
    return orm;
  } catch (err) {
    await orm?.close(true).catch(() => undefined);
    if (isConnectionFailure(err)) throw new ConnectionError('DATABASE_URL', db.driver === 'sqlite' ? db.path : redactUrl(db.url), err);
    throw err;
  }
}
