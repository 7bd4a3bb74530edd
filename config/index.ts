import { readFileSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigError } from '../src/shared/errors.ts';
import { messageIdTagKey } from '../src/shared/message-id.ts';
import { envSchema, type Env } from './schema.ts';

export type { Env } from './schema.ts';

/** Where the master key comes from (read by src/db when it opens the database). */
export interface DataKeySettings {
  key?: string;
  file?: string;
  nodeEnv: 'development' | 'production' | 'test';
  /** Do not print the no-key warning (a process that already printed it). */
  quiet?: boolean;
}

export type DatabaseConfig = (
  | { driver: 'sqlite'; path: string }
  | { driver: 'postgresql'; url: string }
) & {
  /** Absent: development without a key (tests, scripts that build the config by hand). */
  dataKey?: DataKeySettings;
};

export interface Config {
  env: Env;
  database: DatabaseConfig;
  /** Domain used in our own Message-IDs (`<…@domain>`). */
  messageIdDomain: string;
  /** Where every outgoing mail is BCC'd (SENT_COPY=bcc): the service mailbox; null when off. */
  sentCopyTo: string | null;
  /**
   * The keys of our Message-ID tags (src/shared/message-id.ts): the first signs, all verify.
   * Derived from the master key (DATA_KEY / DATA_KEY_FILE, and DATA_KEY_NEW during a rotation),
   * which every process has; without one (development, tests) a fixed key that is not secret.
   * A function: DATA_KEY_FILE is read when a process wires its stages, not when config is parsed.
   */
  messageIdKeys: () => Buffer[];
}

/** Development without DATA_KEY: ids are tagged all the same, under a key everyone can read here. */
const DEVELOPMENT_TAG_SECRET = 'casedesk development message-id tags (no DATA_KEY: not secret)';

function messageIdKeys(env: Env): Buffer[] {
  let master = env.DATA_KEY;
  if (!master && env.DATA_KEY_FILE) {
    try {
      master = readFileSync(env.DATA_KEY_FILE, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([`DATA_KEY_FILE: cannot read ${env.DATA_KEY_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  }
  const secrets = master ? [master, ...(env.DATA_KEY_NEW ? [env.DATA_KEY_NEW] : [])].map((k) => Buffer.from(k, 'base64')) : [DEVELOPMENT_TAG_SECRET];
  return secrets.map((secret) => messageIdTagKey(secret));
}

/**
 * Validate the environment once. Every bad key is listed in one ConfigError, so an operator
 * fixes them all in one go instead of one restart per key.
 */
export function parseConfig(source: Record<string, string | undefined>): Config {
  // Empty strings mean "not set": `.env` files often carry `KEY=` lines.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const env = result.data;
  const dataKey: DataKeySettings = { key: env.DATA_KEY, file: env.DATA_KEY_FILE, nodeEnv: env.NODE_ENV };
  return { env, database: { ...databaseConfig(env.DATABASE_URL), dataKey }, messageIdDomain: env.MESSAGE_ID_DOMAIN ?? env.MAIL_FROM.split('@')[1], sentCopyTo: sentCopyTo(env), messageIdKeys: () => messageIdKeys(env) };
}

/** SENT_COPY: explicit, or `bcc` when the ingest mailbox is MAIL_FROM's own (the copy comes back to us). */
function sentCopyTo(env: Env): string | null {
  const ours = env.IMAP_USER?.trim().toLowerCase() === env.MAIL_FROM.toLowerCase();
  return (env.SENT_COPY ?? (ours ? 'bcc' : 'off')) === 'bcc' ? env.MAIL_FROM : null;
}

function databaseConfig(url: string): DatabaseConfig {
  if (/^postgres(ql)?:\/\//i.test(url)) return { driver: 'postgresql', url };
  return { driver: 'sqlite', path: url.replace(/^(sqlite|file):\/\//i, '') };
}

/**
 * Read `.env` (if present, never overriding the real environment) and validate process.env.
 * `CASEDESK_ENV_FILE` names another file to read instead (`/dev/null`: none). The tests set it
 * to /dev/null, so the `.env` that scripts/run-local.sh writes for a local demo (its mailbox,
 * its SMTP sink) never leaks into them.
 */
export function loadConfig(options: { dotenvPath?: string } = {}): Config {
  loadDotenv({ path: options.dotenvPath ?? process.env.CASEDESK_ENV_FILE ?? '.env', quiet: true });
  return parseConfig(process.env);
}

export { debugEnabled } from './debug.ts';
