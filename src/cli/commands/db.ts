import type { Command } from 'commander';
import { withDatabase } from '../context.ts';

/** `casedesk db migrate`: bring the database schema up to date (every process also does this on start). */
export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations')
    .option('--create', "create the SQLite file's directory when it does not exist")
    .action(async (opts: { create?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const executed = await orm.getMigrator().getExecutedMigrations();
        process.stdout.write(`database is up to date (${executed.length} migrations applied)\n`);
      }, { create: opts.create });
    });
}
