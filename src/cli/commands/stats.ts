import type { Command } from 'commander';
import { formatDraftStats } from '../../review/draft-stats.ts';
import { loadDraftStats } from '../../review/draft-stats-load.ts';
import { printJson, withDatabase } from '../context.ts';

/**
 * `casedesk stats drafts [--since YYYY-MM-DD] [--json]`: how the consultants treat the suggested
 * answers, overall and per intent: suggested, approvedUnchanged, approvedEdited,
 * medianEditDistance (normalised 0..1), rejected.
 */
export function registerStatsCommand(program: Command): void {
  const stats = program.command('stats').description('figures about the work');
  stats
    .command('drafts')
    .description('suggested answers: approved unchanged, approved after edits (median normalised edit distance), rejected; overall and per intent')
    .option('--since <date>', 'only drafts created on or after this day (YYYY-MM-DD, UTC)')
    .option('--json', 'print JSON')
    .action(async (o: { since?: string; json?: boolean }) => {
      const result = await withDatabase(({ orm }) => loadDraftStats(orm.em.fork(), { since: o.since ?? null }));
      if (o.json) printJson(result);
      else process.stdout.write(formatDraftStats(result));
    });
}
