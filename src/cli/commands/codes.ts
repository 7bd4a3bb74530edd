import type { Command } from 'commander';

/** Registers `casedesk codes`. */
export function registerCodesCommand(program: Command): void {
  void program;
}
