import { Command, CommanderError } from 'commander';
import { AppError, ConfigError } from '../shared/errors.ts';
import { registerClassifyCommand } from './commands/classify.ts';
import { registerCodesCommand } from './commands/codes.ts';
import { registerDbCommand } from './commands/db.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerDraftsCommand } from './commands/drafts.ts';
import { registerExtractCommand } from './commands/extract.ts';
import { registerMessagesCommand } from './commands/messages.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerSubscribersCommand } from './commands/subscribers.ts';
import { registerSuggestCommand } from './commands/suggest.ts';
import { registerUsersCommand } from './commands/users.ts';

/** Build the `casedesk` command tree. Importing this module runs nothing. */
export function buildProgram(): Command {
  const program = new Command('casedesk')
    .description('CaseDesk: email-based medical-coding consultations')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommands(program);
  registerDraftsCommand(program);
  registerMessagesCommand(program);
  registerExtractCommand(program);
  registerSuggestCommand(program);
  registerClassifyCommand(program);
  registerCodesCommand(program);
  registerSubscribersCommand(program);
  registerUsersCommand(program);
  registerDbCommand(program);
  registerDevCommand(program);
  registerDoctorCommand(program);
  return program;
}

/** Exit statuses: 0 ok, 1 a domain error (message on stderr), 2 bad usage or configuration. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
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

const isMain = process.argv[1] && /(?:casedesk(?:\.js)?|cli[\\/]main\.ts)$/.test(process.argv[1]);
if (isMain) {
  // A command may set process.exitCode itself (a check that failed) without throwing.
  const code = (await runCli(process.argv)) || Number(process.exitCode ?? 0);
  process.exitCode = code;
  // A command is over when runCli returns (long-running ones after their drain). Give stdout and
  // stderr a moment to flush to a pipe, then exit even if a library left a handle open.
  setTimeout(() => process.exit(code), 1_000).unref();
}
