import { Command, CommanderError } from 'commander';
import { debugEnabled } from '../../config/debug.ts';
import { ConnectionError } from '../shared/connection-error.ts';
import { AppError, ConfigError } from '../shared/errors.ts';
import { COMMANDS, commandNamed } from './command-map.ts';
import type { RoleStarter } from './commands/run.ts';

/**
 * Build the `casedesk` command tree for one argv. Only the module of the command being run is
 * loaded (src/cli/command-map.ts); every other top-level command is listed by name and
 * description only, which is all `--help` and "did you mean" need. Importing this module runs
 * nothing; the process entry is workers/cli.ts, which hands in how to start the long-running
 * roles (workers/main.ts, itself loaded only when a role starts).
 */
export async function buildProgram(start: RoleStarter, argv: string[] = process.argv): Promise<Command> {
  const program = new Command('casedesk')
    .description('CaseDesk: email-based medical-coding consultations')
    .showHelpAfterError()
    .exitOverride();
  const name = commandNamed(argv);
  const registrar = name ? await COMMANDS[name].load() : undefined;
  for (const [other, { description }] of Object.entries(COMMANDS)) {
    if (program.commands.some((c) => c.name() === other)) continue; // registered with its module's first command
    if (other === name || (registrar && COMMANDS[other].load === COMMANDS[name!].load)) registrar!(program, start);
    else program.command(other).description(description);
  }
  return program;
}

/** Exit statuses: 0 ok, 1 a domain error (message on stderr), 2 bad usage or configuration. */
export async function runCli(argv: string[], start: RoleStarter): Promise<number> {
  try {
    await (await buildProgram(start, argv)).parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConnectionError) {
      // One line naming the setting, the target and the cause; the stack only with DEBUG=1.
      process.stderr.write(`casedesk: ${err.message}\n`);
      if (debugEnabled()) process.stderr.write(`${(err.cause as Error)?.stack ?? String(err.cause)}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`casedesk: ${err.message}\n`);
      return 2;
    }
    if (err instanceof AppError) {
      process.stderr.write(`casedesk: ${err.message}\n`);
      return err.code === 'validation' ? 2 : 1;
    }
    process.stderr.write(`casedesk: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
