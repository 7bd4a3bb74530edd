import type { Command } from 'commander';
import { ImapFlow } from 'imapflow';
import { formatClamavAddress, parseClamavUrl } from '../../attachments/clamav-url.ts';
import { clamdVersion } from '../../attachments/clamd-client.ts';
import { createRedis } from '../../shared/redis.ts';
import { printJson, withDatabase } from '../context.ts';

/**
 * `casedesk doctor`: can this process's configuration reach what it needs? Checks the database
 * (and its migrations), Redis, and with `--imap` a login to the mailbox. Exit status 0 when
 * everything answers, 1 otherwise: usable as a container health check for workers and ingest.
 */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the database, Redis and (with --imap, --clamd) the mailbox and the virus scanner; exit 1 when one fails')
    .option('--imap', 'also log in to the IMAP mailbox')
    .option('--clamd', 'also ask clamd (CLAMAV_URL) for its version')
    .option('--json', 'print JSON')
    .action(async (opts: { imap?: boolean; clamd?: boolean; json?: boolean }) => {
      const checks: Record<string, string> = {};
      await withDatabase(async ({ orm, config }) => {
        await orm.em.fork().getConnection().execute('select 1');
        checks.database = 'ok';
        const redis = createRedis(config.env.REDIS_URL, { lazyConnect: true });
        redis.on('error', () => undefined); // reported below, once
        try {
          await redis.connect();
          checks.redis = (await redis.ping()) === 'PONG' ? 'ok' : 'no PONG';
        } catch (err) {
          checks.redis = `error: ${(err as Error).message}`;
        } finally {
          redis.disconnect();
        }
        if (opts.clamd) checks.clamd = await clamdCheck(config.env.CLAMAV_URL);
        if (opts.imap) {
          const env = config.env;
          const client = new ImapFlow({
            host: env.IMAP_HOST, port: env.IMAP_PORT, secure: env.IMAP_SECURE, logger: false,
            auth: { user: env.IMAP_USER ?? '', pass: env.IMAP_PASSWORD ?? '' }, tls: { rejectUnauthorized: env.IMAP_TLS_REJECT_UNAUTHORIZED },
          });
          try {
            await client.connect();
            const status = await client.status(env.IMAP_MAILBOX, { messages: true });
            checks.imap = status ? `ok (${status.messages ?? 0} messages in ${env.IMAP_MAILBOX})` : `error: no status for ${env.IMAP_MAILBOX}`;
            await client.logout();
          } catch (err) {
            checks.imap = `error: ${(err as Error).message}`;
            client.close();
          }
        }
      });
      const ok = Object.values(checks).every((v) => v.startsWith('ok'));
      if (opts.json) printJson({ ok, ...checks });
      else for (const [k, v] of Object.entries(checks)) process.stdout.write(`${k}: ${v}\n`);
      if (!ok) process.exitCode = 1;
    });
}

/** `ok (ClamAV 1.4.x/…)` when clamd at CLAMAV_URL answers VERSION, else why not. */
async function clamdCheck(url: string): Promise<string> {
  const address = parseClamavUrl(url);
  const version = await clamdVersion({ address, timeoutMs: 5_000 });
  return version ? `ok (${version})` : `error: clamd at ${formatClamavAddress(address)} does not answer`;
}
