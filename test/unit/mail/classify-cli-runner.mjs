// Runs `classify` alone, the way bin/casedesk.js runs the CLI (TypeScript through tsx's loader),
// without loading every other command: the test then depends on this command's code only.
import { register } from 'tsx/esm/api';

register();
const { Command } = await import('commander');
const { registerClassifyCommand } = await import('../../../src/cli/commands/classify.ts');
const program = new Command('casedesk').exitOverride();
registerClassifyCommand(program);
await program.parseAsync(process.argv);
