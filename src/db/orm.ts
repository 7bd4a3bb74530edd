import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Configuration, type Options } from '@mikro-orm/core';
import type { DatabaseConfig } from '../../config/index.ts';
import { appendOnlyTriggerSql } from '../audit/append-only.ts';
import { chainExistingEntries } from '../audit/audit-chain-store.ts';
import { dialectOf, runSql } from '../crypto/columns.ts';
import { chooseMasterKey, CIPHER_EXTENSION, Keyring, KeyConfigError, setupCipher, type ValueCipher } from '../crypto/index.ts';
import { ConfigError } from '../shared/errors.ts';
import type { Orm } from '../shared/db.ts';
import { ConnectionError, isConnectionFailure, redactUrl } from '../shared/connection-error.ts';
import { allEntities } from './entities.ts';
import { prepareSqliteStatements, sendValuesApart } from './bound-params.ts';
import { migrateIfPending, MIGRATION_OPTIONS } from './migrator.ts';

export type { EntityManager, Orm } from '../shared/db.ts';

/**
 * MikroORM options for one database; the same entities on both drivers. Only the driver in use is
 * loaded (a CLI command on SQLite never loads the PostgreSQL client, and back), and not the
 * migrator: `loadMigrator` (src/db/migrator.ts) adds it with the driver's migrations when needed.
 */
export async function ormOptions(db: DatabaseConfig): Promise<Options> {
  const common = {
    entities: allEntities,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  } satisfies Options;
  if (db.driver === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: db.url,
      pool: { min: 0, max: 10 },
      migrations: { ...MIGRATION_OPTIONS },
    };
  }
  return {
    ...common,
    driver: await sqliteDriver(),
    dbName: db.path,
    migrations: { ...MIGRATION_OPTIONS },
  };
}

export interface OpenOptions {
  /** Run pending migrations first (default true). */
  migrate?: boolean;
  /**
   * Told the warning of a start without DATA_KEY (development only); default: a banner on
   * stderr, except under NODE_ENV=test.
   */
  onKeyWarning?: (warning: string) => void;
}

function loudWarning(warning: string): void {
  const bar = '!'.repeat(Math.min(100, warning.length + 4));
  process.stderr.write(`${bar}\n! ${warning}\n${bar}\n`);
}

/**
 * Give the ORM its cipher: the keyring of DATA_KEY / DATA_KEY_FILE, or (development and tests
 * without a key) the plaintext cipher with a loud warning. A missing key in production, a bad
 * key, or data keys wrapped by another master key stop the start with a one-line ConfigError.
 */
async function installKeyring(orm: MikroORM, db: DatabaseConfig, options: OpenOptions): Promise<void> {
  const settings = db.dataKey ?? { nodeEnv: 'development' as const };
  try {
    const setup = await setupCipher(orm, chooseMasterKey(settings));
    if (setup.warning && db.dataKey && settings.nodeEnv !== 'test' && !db.dataKey.quiet) (options.onKeyWarning ?? loudWarning)(setup.warning);
  } catch (err) {
    if (err instanceof KeyConfigError || (err instanceof Error && (err as { code?: string }).code === 'key_unavailable')) throw new ConfigError([err.message]);
    throw err;
  }
}

/** The cipher an open ORM encrypts with (a Keyring, or the plaintext cipher without a key). */
export function cipherOfOrm(orm: MikroORM): ValueCipher {
  return orm.config.getExtension<ValueCipher>(CIPHER_EXTENSION)!;
}

/** The keyring, when the ORM encrypts (null in development without a key). */
export function keyringOf(orm: MikroORM): Keyring | null {
  const c = cipherOfOrm(orm);
  return c instanceof Keyring ? c : null;
}

/**
 * Bring audit rows written before the chain existed into it (a no-op once done), then make sure
 * the append-only triggers exist (the migration creates them; this covers SQLite rebuilds).
 */
async function prepareAuditChain(orm: MikroORM): Promise<void> {
  const em = orm.em.fork();
  const [row] = await runSql<{ n: number | string }>(em, 'select count(*) as n from audit_entry where hash is null');
  if (Number(row.n) > 0) await chainExistingEntries(em);
  if (dialectOf(em.getPlatform()) === 'sqlite') for (const sql of appendOnlyTriggerSql('sqlite')) await runSql(em, sql);
}

/**
 * The better-sqlite driver with one fix. MikroORM 6.6.16's SQLite platform turns Date properties
 * into timestamps when it snapshots an entity, but an entity loaded by a query keeps Dates in its
 * original data; so every flush of a loaded entity rewrote its unchanged datetime columns (four
 * extra UPDATEs per message in the parse and draft stages). Dates stay Dates on both sides here,
 * compared by value; better-sqlite3 still stores them as timestamps (knex binds a Date as its
 * epoch milliseconds), as before.
 */
async function sqliteDriver(): Promise<Options['driver']> {
  const [{ BetterSqliteConnection, BetterSqlitePlatform }, { AbstractSqlDriver }] = await Promise.all([import('@mikro-orm/better-sqlite'), import('@mikro-orm/knex')]);
  class SqlitePlatform extends BetterSqlitePlatform {
    override processDateProperty(value: unknown): string | number | Date {
      return value as Date;
    }
  }
  return class SqliteDriver extends AbstractSqlDriver<InstanceType<typeof BetterSqliteConnection>, SqlitePlatform> {
    constructor(config: Configuration) {
      super(config, new SqlitePlatform(), BetterSqliteConnection, ['knex', 'better-sqlite3']);
    }
  };
}

/**
 * Open the database. With `migrate` (the default) pending migrations run first, so a fresh
 * SQLite file or PostgreSQL database is ready to use; concurrent starters are safe because the
 * migrator runs in one transaction and records what it applied. An up-to-date database is told
 * by its migrations table against the list of names, without loading the migrator. A SQLite file whose directory
 * does not exist is refused (a mistyped path) unless `create` is set (`casedesk start`,
 * `casedesk db migrate --create`). A server that cannot be reached is a ConnectionError.
 */
export async function openDatabase(db: DatabaseConfig, options: OpenOptions & { create?: boolean } = {}): Promise<Orm> {
  if (db.driver === 'sqlite' && db.path !== ':memory:') {
    const dir = dirname(db.path);
    if (!existsSync(dir)) {
      if (!options.create) throw new ConfigError([`DATABASE_URL: the directory ${dir} of the SQLite file ${db.path} does not exist (a typo?); create it, or run \`casedesk db migrate --create\``]);
      mkdirSync(dir, { recursive: true });
    }
  }
  let orm: Orm | null = null;
  try {
    orm = await MikroORM.init(await ormOptions(db));
    if (db.driver === 'sqlite') {
      // WAL lets the web page read while a worker writes; several processes may share the file.
      const conn = orm.em.getConnection();
      await conn.execute('pragma journal_mode = wal');
      await conn.execute('pragma busy_timeout = 10000');
      await conn.execute('pragma synchronous = normal');
      // Freed cells are zeroed, so purged or re-encrypted content does not linger in the file.
      await conn.execute('pragma secure_delete = on');
      prepareSqliteStatements(orm);
    } else {
      sendValuesApart(orm);
      await orm.em.getConnection().execute('select 1');
    }
    if (options.migrate !== false) {
      await migrateIfPending(orm);
      await prepareAuditChain(orm);
    }
    await installKeyring(orm, db, options);
    return orm;
  } catch (err) {
    await orm?.close(true).catch(() => undefined);
    if (isConnectionFailure(err)) throw new ConnectionError('DATABASE_URL', db.driver === 'sqlite' ? db.path : redactUrl(db.url), err);
    throw err;
  }
}
