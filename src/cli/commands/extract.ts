import type { Command } from 'commander';

/** Registers `casedesk extract`. */
export function registerExtractCommand(program: Command): void {
  void program;
}
