import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { releaseHeldCase } from '../../review/release.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { parseCaseRef } from '../case-ref.ts';
import { printJson, withDatabase } from '../context.ts';

/** `casedesk cases release <id>`: release a case held as "unverified sender" (SENDER_AUTH=enforce). */
export function registerCasesCommand(program: Command): void {
  const cases = program.command('cases').description('cases: release a held case');
  cases
    .command('release <id>')
    .description('release a case held as "unverified sender": it counts against the quota and gets a draft')
    .option('--as <name>', 'who releases (audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { as?: string; json?: boolean }) => {
      await withDatabase(async ({ orm, config }) => {
        const result = await releaseHeldCase(orm.em.fork(), { caseId: parseCaseRef(id, 'case'), actor: opts.as ?? userInfo().username, plans: config.env.PLANS });
        const redis = createRedis(config.env.REDIS_URL);
        const queues = createQueues(redis, config.env.QUEUE_PREFIX);
        try {
          for (const caseMessageId of result.caseMessageIds) await queues.enqueueDraft(caseMessageId);
        } finally {
          await queues.close();
          redis.disconnect();
        }
        if (opts.json) return printJson(result);
        if (result.already) return void process.stdout.write(`CD-${result.caseId} is not held: nothing changed\n`);
        process.stdout.write(`released: CD-${result.caseId}, ${result.caseMessageIds.length} message(s) queued for a draft${result.overQuota ? ' (over quota: counted anyway)' : ''}\n`);
      });
    });
}
