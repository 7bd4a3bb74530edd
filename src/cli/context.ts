import type { Config } from '../../config/index.ts';

const DEFAULT_DATABASE_URL = './var/casedesk.sqlite';
import type { Orm } from '../db/orm.ts';

export interface CliContext {
  config: Config;
  orm: Orm;
}

/**
 * For commands that read only the code tables (and append to the audit log, which is not
 * encrypted): look-ups and `suggest`. They open no keyring, so they neither need DATA_KEY nor
 * print the development no-key banner, and start faster.
 */
export const CODE_TABLES_ONLY = { keyless: true } as const;

/**
 * Run one CLI action with configuration and an open (migrated) database; always closes it. A
 * SQLite file in a directory that does not exist is refused unless `create` is set.
 * `keyless`: open without the keyring (commands that touch only key rows, code tables and the audit log,
 * such as `keys rotate`, which must run while data keys are wrapped by two master keys).
 */
export async function withDatabase<T>(fn: (ctx: CliContext) => Promise<T>, options: { create?: boolean; keyless?: boolean } = {}): Promise<T> {
  // Loaded here, not at the top: commands that read stdin only (extract, phi) never pay for the ORM.
  // No logger: one-shot commands print their results and errors (pino would add ~20 ms to each start).
  const [{ loadConfig }, { openDatabase }] = await Promise.all([import('../../config/index.ts'), import('../db/orm.ts')]);
  const config = loadConfig();
  const database = options.keyless ? { ...config.database, dataKey: { nodeEnv: 'development' as const, quiet: true } } : config.database;
  // The default ./var/casedesk.sqlite is created on first use (a fresh checkout has no var/); an
  // explicit DATABASE_URL whose directory is missing is refused as a likely typo.
  const create = options.create || config.env.DATABASE_URL === DEFAULT_DATABASE_URL;
  const orm = await openDatabase(database, { create });
  try {
    return await fn({ config, orm });
  } finally {
    await orm.close(true);
  }
}

/** Read all of standard input as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Print one JSON document on one line. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
