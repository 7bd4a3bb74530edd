import type { Command } from 'commander';
import { encryptExisting, encryptedColumns } from '../../crypto/index.ts';
import { migrationState } from '../../db/migrator.ts';
import { cipherOfOrm } from '../../db/orm.ts';
import { ValidationError } from '../../shared/errors.ts';
import { printJson, withDatabase } from '../context.ts';

/** `casedesk db migrate`: bring the database schema up to date (every process also does this on start). */
export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations')
    .option('--create', "create the SQLite file's directory when it does not exist")
    .action(async (opts: { create?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const { executed } = await migrationState(orm);
        process.stdout.write(`database is up to date (${executed.length} migrations applied)\n`);
      }, { create: opts.create });
    });
  db.command('encrypt-existing')
    .description('encrypt content rows still stored in plaintext (resumable; services may keep running)')
    .option('--dry-run', 'only count the plaintext values')
    .option('--batch-size <n>', 'rows per transaction', '200')
    .option('--compact', 'PostgreSQL: VACUUM FULL the touched tables afterwards (locks them)')
    .option('--json', 'print JSON')
    .action(async (opts: { dryRun?: boolean; batchSize: string; compact?: boolean; json?: boolean }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValidationError('--batch-size must be a positive integer');
      await withDatabase(async ({ orm }) => {
        const result = await encryptExisting(orm.em.fork(), cipherOfOrm(orm), encryptedColumns(orm), {
          batchSize,
          dryRun: opts.dryRun,
          compact: opts.compact,
          onBatch: (p) => process.stderr.write(`${p.label}: ${p.encrypted} encrypted (up to id ${p.lastId})\n`),
        });
        if (opts.json) return printJson(result);
        for (const c of result.columns) process.stdout.write(`${c.label}: ${c.plaintextBefore} plaintext, ${c.encrypted} encrypted\n`);
        process.stdout.write(`${opts.dryRun ? 'dry run: nothing changed' : `${result.total} values encrypted`}\n`);
      });
    });
}
