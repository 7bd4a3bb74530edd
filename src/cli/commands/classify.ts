import type { Command } from 'commander';

/** Registers `casedesk classify`. */
export function registerClassifyCommand(program: Command): void {
  void program;
}
