import type { Migrator } from '@mikro-orm/migrations';
import { dialectOf, runSql } from '../crypto/columns.ts';
import type { Orm } from '../shared/db.ts';
import { migrationNames } from './migrations/names.ts';

/** The table MikroORM's migrator records applied migrations in (same name on both drivers). */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** The migrator's settings apart from the migration list (which is loaded with the migrator). */
export const MIGRATION_OPTIONS = { tableName: MIGRATIONS_TABLE, transactional: true, snapshot: false, silent: true } as const;

export interface MigrationState {
  /** Names recorded in the migrations table, in the order applied (empty on a fresh database). */
  executed: string[];
  /** Known migrations (src/db/migrations/names.ts) the database has not recorded. */
  pending: string[];
}

/**
 * What the database has applied and what it lacks, by reading the migrations table against the
 * static list of names: two small queries, without loading @mikro-orm/migrations (umzug and the
 * migration classes), which a command on an up-to-date database never needs.
 */
export async function migrationState(orm: Orm): Promise<MigrationState> {
  const em = orm.em.fork();
  const dialect = dialectOf(em.getPlatform());
  // MikroORM keeps the table in the default schema: public on PostgreSQL.
  const tableSql = dialect === 'sqlite'
    ? "select name from sqlite_master where type = 'table' and name = ?"
    : "select table_name as name from information_schema.tables where table_schema = 'public' and table_name = ?";
  const present = await runSql(em, tableSql, [MIGRATIONS_TABLE]);
  const executed = present.length === 0 ? [] : (await runSql<{ name: string }>(em, `select name from ${MIGRATIONS_TABLE} order by id`)).map((r) => r.name.replace(/\.[jt]s$/, ''));
  const done = new Set(executed);
  return { executed, pending: migrationNames[dialect].filter((name) => !done.has(name)) };
}

/**
 * The ORM's migrator with this driver's migration classes, loaded on first use (`orm.getMigrator()`
 * works after this; before it MikroORM would look for migration files on disk).
 */
export async function loadMigrator(orm: Orm): Promise<Migrator> {
  const dialect = dialectOf(orm.em.getPlatform());
  const [{ Migrator: MigratorClass }, migrationsList] = await Promise.all([
    import('@mikro-orm/migrations'),
    dialect === 'sqlite'
      ? import('./migrations/sqlite/index.ts').then((m) => m.sqliteMigrations)
      : import('./migrations/postgresql/index.ts').then((m) => m.postgresqlMigrations),
  ]);
  if (!orm.config.get('migrations').migrationsList) {
    orm.config.set('migrations', { ...orm.config.get('migrations'), ...MIGRATION_OPTIONS, migrationsList });
    MigratorClass.register(orm);
  }
  return orm.getMigrator() as Migrator;
}

/**
 * Apply what is pending. Returns the names applied (none on an up-to-date database, without
 * loading the migrator). Concurrent starters are safe: the migrator runs in one transaction and
 * records what it applied, so a second one finds nothing left to do.
 */
export async function migrateIfPending(orm: Orm): Promise<string[]> {
  const { pending } = await migrationState(orm);
  if (pending.length === 0) return [];
  const applied = await (await loadMigrator(orm)).up();
  return applied.map((m) => m.name);
}
