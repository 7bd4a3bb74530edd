import { Command, CommanderError } from 'commander';
import { AppError, ConfigError } from '../shared/errors.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerClassifyCommand } from './commands/classify.ts';
import { registerCodesCommand } from './commands/codes.ts';
import { registerDbCommand } from './commands/db.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerDraftsCommand } from './commands/drafts.ts';
import { registerExtractCommand } from './commands/extract.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerMessagesCommand } from './commands/messages.ts';
import { registerRunCommands, type RoleStarter } from './commands/run.ts';
import { registerPurgeCommand } from './commands/purge.ts';
import { registerPhiCommand } from './commands/phi.ts';
import { registerSubscribersCommand } from './commands/subscribers.ts';
import { registerSuggestCommand } from './commands/suggest.ts';
import { registerUsersCommand } from './commands/users.ts';

/**
 * Build the `casedesk` command tree. Importing this module runs nothing; the process entry is
 * workers/cli.ts, which hands in how to start the long-running roles (workers/main.ts).
 */
export function buildProgram(start: RoleStarter): Command {
  const program = new Command('casedesk')
    .description('CaseDesk: email-based medical-coding consultations')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommands(program, start);
  registerDraftsCommand(program);
  registerMessagesCommand(program);
  registerExtractCommand(program);
  registerSuggestCommand(program);
  registerClassifyCommand(program);
  registerPhiCommand(program);
  registerCodesCommand(program);
  registerSubscribersCommand(program);
  registerUsersCommand(program);
  registerDbCommand(program);
  registerKeysCommand(program);
  registerPurgeCommand(program);
  registerAuditCommand(program);
  registerDevCommand(program);
  registerDoctorCommand(program);
  return program;
}

/** Exit statuses: 0 ok, 1 a domain error (message on stderr), 2 bad usage or configuration. */
export async function runCli(argv: string[], start: RoleStarter): Promise<number> {
  try {
    await buildProgram(start).parseAsync(argv);
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
