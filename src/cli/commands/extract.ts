import type { Command } from 'commander';
import { extractFromRaw, toContractJson } from '../../codes/extract/index.ts';
import { printJson, readStdin } from '../context.ts';

/**
 * Registers `casedesk extract`: reads one message (raw RFC 5322, or plain text) on standard
 * input and prints the contract's JSON object (EXTRACTION.md) on one line. `--json` is accepted
 * for symmetry with other commands; the output is JSON either way.
 */
export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description('list the billing codes a message mentions (reads the message on stdin)')
    .option('--json', 'print JSON (the default and only format)')
    .action(async () => {
      printJson(await runExtract(await readStdin()));
    });
}

/** The command's work without I/O: raw input in, the contract's object out. */
export async function runExtract(raw: Buffer | string): Promise<ReturnType<typeof toContractJson>> {
  return toContractJson(await extractFromRaw(raw));
}
