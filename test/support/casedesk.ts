import { parseConfig, type Config } from '../../config/index.ts';
import type { DNSResolver } from '../../src/mail/auth/index.ts';
import { silentLogger, type Logger } from '../../src/shared/logger.ts';
import type { Role } from '../../src/shared/roles.ts';
import { startCaseDesk, type RunningCaseDesk } from '../../workers/main.ts';
import { tableResolver } from './dns-table.ts';
import { createTestDatabase, type TestDatabase, type TestDriver } from './db.ts';
import { testImapEnv } from './imap.ts';
import { dataKeyEnv } from './db.ts';
import { createQueuePrefix, TEST_REDIS_URL } from './redis.ts';

export interface BootedCaseDesk {
  app: RunningCaseDesk;
  db: TestDatabase;
  config: Config;
  prefix: string;
  /** Stop the app (if still running), drop the database, delete the queue keys. */
  teardown(): Promise<void>;
  /** Stop only the running processes (to restart them on the same database). */
  restart(roles?: Role[]): Promise<RunningCaseDesk>;
}

/**
 * Boot CaseDesk as `casedesk start` would, against the real test services: a database of its
 * own, a queue prefix of its own, the test Dovecot mailbox given, and an SMTP receiver's port.
 */
export async function bootCaseDesk(options: {
  driver: TestDriver;
  mailbox: string;
  smtpPort: number;
  roles?: Role[];
  env?: Record<string, string>;
  /** Passed to startCaseDesk: a logger (default silent) and the sender check's DNS (default: an empty table, no network). */
  log?: Logger;
  dnsResolver?: DNSResolver;
}): Promise<BootedCaseDesk> {
  const db = await createTestDatabase(options.driver);
  const queue = createQueuePrefix();
  const config = parseConfig({
    ...testImapEnv(options.mailbox),
    DATABASE_URL: db.db.driver === 'sqlite' ? db.db.path : db.db.url,
    ...dataKeyEnv(db.db),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queue.prefix,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(options.smtpPort),
    SMTP_SECURE: 'false',
    MAIL_FROM: 'answers@casedesk.test',
    IMAP_POLL_SECONDS: '1',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // The clamd of scripts/services.sh (TCP on CLAMD_PORT); TEST_CLAMAV_URL points at another one.
    CLAMAV_URL: process.env.TEST_CLAMAV_URL ?? `tcp://127.0.0.1:${process.env.CLAMD_PORT ?? 3310}`,
    ...options.env,
  });
  const roles = options.roles ?? ['ingest', 'parse', 'scan', 'draft', 'send', 'web'];
  const start = { log: options.log ?? silentLogger, dnsResolver: options.dnsResolver ?? tableResolver({}), httpPort: 0 };
  let app = await startCaseDesk(config, { roles, ...start });
  const booted: BootedCaseDesk = {
    get app() {
      return app;
    },
    db,
    config,
    prefix: queue.prefix,
    restart: async (r = roles) => {
      await app.stop();
      app = await startCaseDesk(config, { roles: r, ...start });
      return app;
    },
    teardown: async () => {
      await app.stop();
      await db.drop();
      await queue.cleanup();
    },
  };
  return booted;
}

/** A raw RFC 5322 message, CRLF line ends. */
export function rawMessage(headers: Record<string, string>, body: string): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  if (!headers['MIME-Version']) lines.push('MIME-Version: 1.0');
  if (!headers['Content-Type']) lines.push('Content-Type: text/plain; charset=utf-8');
  if (!headers.Date) lines.push(`Date: ${new Date().toUTCString()}`);
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}
