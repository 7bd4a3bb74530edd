import type { Command } from 'commander';
import { purge, type PurgeResult } from '../../retention/purge.ts';
import { printJson, withDatabase } from '../context.ts';

export function formatPurge(r: PurgeResult): string {
  const verb = r.dryRun ? 'would purge' : 'purged';
  const raw = r.rawCutoff ? `raw sources received before ${r.rawCutoff}: ${verb} ${r.rawPurged}` : 'raw sources: kept (RETAIN_RAW_DAYS off)';
  const cases = r.caseCutoff
    ? `content of cases closed before ${r.caseCutoff}: ${verb} ${r.casesPurged}${r.caseIds.length ? ` (CD-${r.caseIds.slice(0, 20).join(', CD-')}${r.caseIds.length > 20 ? ', …' : ''})` : ''}`
    : 'closed cases: kept (RETAIN_CASE_DAYS off)';
  return `${raw}\n${cases}\n`;
}

/** Registers `casedesk purge`: apply RETAIN_RAW_DAYS and RETAIN_CASE_DAYS now (the worker also runs it daily). */
export function registerPurgeCommand(program: Command): void {
  program.command('purge')
    .description('purge raw sources older than RETAIN_RAW_DAYS and the content of cases closed longer than RETAIN_CASE_DAYS')
    .option('--dry-run', 'count what would be purged; change nothing')
    .option('--json', 'print JSON')
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      await withDatabase(async ({ orm, config }) => {
        const result = await purge(orm.em.fork(), { rawDays: config.env.RETAIN_RAW_DAYS, caseDays: config.env.RETAIN_CASE_DAYS }, { dryRun: opts.dryRun, actor: 'cli' });
        if (opts.json) printJson(result);
        else process.stdout.write(formatPurge(result));
      }, { keyless: true });
    });
}
