import type { Command } from 'commander';
import { loadConfig } from '../../../config/index.ts';
import { ROLES, startCaseDesk, type Role } from '../../../workers/main.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createLogger } from '../../shared/logger.ts';

const QUEUE_ROLES: Role[] = ['parse', 'draft', 'send'];

/** Run roles until SIGTERM/SIGINT, then drain and exit cleanly (a second signal forces exit). */
async function runRoles(roles: Role[]): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.env.LOG_LEVEL });
  const running = await startCaseDesk(config, { roles, log });
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
        log.error({ err: err.message }, 'shutdown failed');
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
export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('run everything in one process: ingest, the parse/draft/send workers and the web page')
    .action(() => runRoles([...ROLES]));
  program
    .command('ingest')
    .description('run mailbox ingest only (one leader per mailbox)')
    .action(() => runRoles(['ingest']));
  program
    .command('worker')
    .description('run queue workers')
    .option('--queues <list>', `comma-separated queues (${QUEUE_ROLES.join(',')})`, QUEUE_ROLES.join(','))
    .action((opts: { queues: string }) => runRoles(parseQueues(opts.queues)));
  program
    .command('web')
    .description('run the web page and JSON API only')
    .action(() => runRoles(['web']));
}
