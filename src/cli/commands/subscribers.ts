import type { Command } from 'commander';

/** Registers `casedesk subscribers`. */
export function registerSubscribersCommand(program: Command): void {
  void program;
}
