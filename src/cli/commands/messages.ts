import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { InboundState } from '../../ingest/ingest.entity.ts';
import { listInbound, retryInbound } from '../../review/review.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { printJson, withDatabase } from '../context.ts';

const STATES: InboundState[] = ['stored', 'parsed', 'ignored', 'duplicate', 'quarantined'];

/** `casedesk messages list|retry`: every inbound message and what became of it. */
export function registerMessagesCommand(program: Command): void {
  const messages = program.command('messages').description('inbound messages: list by state, retry a quarantined one');
  messages
    .command('list')
    .option('--state <state>', `only messages in this state (${STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '200')
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; limit: string; json?: boolean }) => {
      if (opts.state && !STATES.includes(opts.state as InboundState)) throw new ValidationError(`--state must be one of ${STATES.join(', ')}`);
      await withDatabase(async ({ orm }) => {
        const rows = await listInbound(orm.em.fork(), { state: opts.state as InboundState | undefined, limit: Number(opts.limit) });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no messages\n');
        for (const m of rows) {
          process.stdout.write(`${String(m.id).padStart(6)}  ${m.state.padEnd(11)} ${(m.kind ?? '-').padEnd(15)} ${m.caseId ? `CD-${m.caseId}` : '-'}  ${m.reason ?? m.reasons.join('; ')}\n`);
        }
      });
    });
  messages
    .command('retry <id>')
    .description('parse a quarantined message again')
    .action(async (id: string) => {
      const inboundId = Number(id);
      if (!Number.isInteger(inboundId) || inboundId <= 0) throw new ValidationError(`message id must be a positive whole number; got "${id}"`);
      await withDatabase(async ({ orm, config }) => {
        await retryInbound(orm.em.fork(), inboundId, userInfo().username);
        const redis = createRedis(config.env.REDIS_URL);
        const queues = createQueues(redis, config.env.QUEUE_PREFIX);
        try {
          await queues.forget('parse', inboundId);
          await queues.enqueueParse(inboundId);
        } finally {
          await queues.close();
          redis.disconnect();
        }
        process.stdout.write(`queued for parsing again: message ${inboundId}\n`);
      });
    });
}
