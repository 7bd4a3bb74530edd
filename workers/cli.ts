import { runCli } from '../src/cli/main.ts';
import type { RoleStarter } from '../src/cli/commands/run.ts';

/**
 * The `casedesk` process (bin/casedesk.js, `npm run casedesk`): the command tree of src/cli/
 * with the long-running roles wired to workers/main.ts (imported when one starts). Exit statuses: 0 ok, 1 a domain error,
 * 2 bad usage or configuration.
 */
export function main(argv: string[]): Promise<number> {
  return runCli(argv, startRoles);
}

/** workers/main.ts (everything a role needs) loads only when a long-running command starts. */
const startRoles: RoleStarter = async (config, options) => (await import('./main.ts')).startCaseDesk(config, options);

const isMain = process.argv[1] && /(?:casedesk(?:\.js)?|workers[\\/]cli\.ts)$/.test(process.argv[1]);
if (isMain) {
  // A command may set process.exitCode itself (a check that failed) without throwing.
  const code = (await main(process.argv)) || Number(process.exitCode ?? 0);
  process.exitCode = code;
  // A command is over when main returns (long-running ones after their drain). Give stdout and
  // stderr a moment to flush to a pipe, then exit even if a library left a handle open.
  setTimeout(() => process.exit(code), 1_000).unref();
}
