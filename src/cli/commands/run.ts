import type { Command } from 'commander';
import { loadConfig, type Config } from '../../../config/index.ts';
import { ValidationError } from '../../shared/errors.ts';
import { logSafeError } from '../../shared/log-safe-error.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { QUEUE_ROLES, ROLES, type Role } from '../../shared/roles.ts';

/**
 * Starts roles in this process and returns a handle to stop them: workers/main.ts's
 * `startCaseDesk`, handed in by the entry point (workers/cli.ts) so the CLI never imports the
 * wiring above it.
 */
export type RoleStarter = (config: Config, options: { roles: Role[]; log: Logger; createDatabase?: boolean; preflight?: boolean }) => Promise<{ stop(): Promise<void> }>;

/** Run roles until SIGTERM/SIGINT, then drain and exit cleanly (a second signal forces exit). */
async function runRoles(start: RoleStarter, roles: Role[], options: { createDatabase?: boolean } = {}): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.env.LOG_LEVEL });
  // preflight: every service the roles need answers before anything starts (one line if not).
  const running = await start(config, { roles, log, createDatabase: options.createDatabase, preflight: true });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        log.warn({ signal }, 'second signal, exiting now');
        process.exit(1);
      }
      log.info({ signal }, 'signal received, draining');
      running.stop().then(resolve, (err: Error) => {
        log.error({ err: logSafeError(err) }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function parseQueues(value: string): Role[] {
  const names = value.split(',').map((q) => q.trim()).filter(Boolean);
  const bad = names.filter((n) => !QUEUE_ROLES.includes(n as Role));
  if (bad.length > 0 || names.length === 0) throw new ValidationError(`--queues takes a comma-separated list of ${QUEUE_ROLES.join(', ')}; got "${value}"`);
  return names as Role[];
}

/** `casedesk start | ingest | worker | web`: the long-running processes. */
export function registerRunCommands(program: Command, start: RoleStarter): void {
  program
    .command('start')
    .description('run everything in one process: ingest, the parse/draft/send workers and the web page')
    .action(() => runRoles(start, [...ROLES], { createDatabase: true }));
  program
    .command('ingest')
    .description('run mailbox ingest only (one leader per mailbox)')
    .action(() => runRoles(start, ['ingest']));
  program
    .command('worker')
    .description('run queue workers')
    .option('--queues <list>', `comma-separated queues (${QUEUE_ROLES.join(',')})`, QUEUE_ROLES.join(','))
    .action((opts: { queues: string }) => runRoles(start, parseQueues(opts.queues)));
  program
    .command('web')
    .description('run the web page and JSON API only')
    .action(() => runRoles(start, ['web']));
}
