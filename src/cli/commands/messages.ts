import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../../../config/index.ts';
import type { MessageLabel } from '../../cases/correction.entity.ts';
import type { InboundState } from '../../ingest/ingest.entity.ts';
import { correctClassification, exportLabelled, listCorrections, MESSAGE_LABELS, type CorrectionResult } from '../../review/corrections.ts';
import { listInbound, retryInbound } from '../../review/review.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { printJson, withDatabase } from '../context.ts';

const STATES: InboundState[] = ['stored', 'parsed', 'ignored', 'duplicate', 'quarantined'];

/** `casedesk messages list|retry`: every inbound message and what became of it. */
export function registerMessagesCommand(program: Command): void {
  const messages = program.command('messages').description('inbound messages: list by state, retry a quarantined one, correct the classifier, export labelled messages');
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
      const inboundId = positiveId(id);
      await withDatabase(async ({ orm, config }) => {
        await retryInbound(orm.em.fork(), inboundId, userInfo().username);
        await requeueParse(config, inboundId);
        process.stdout.write(`queued for parsing again: message ${inboundId}\n`);
      });
    });
  registerCorrectionCommands(messages);
}

/** Queue one stored message for the parse stage again (a finished job of the same id is forgotten first). */
async function requeueParse(config: Config, inboundId: number): Promise<void> {
  const redis = createRedis(config.env.REDIS_URL);
  const queues = createQueues(redis, config.env.QUEUE_PREFIX);
  try {
    await queues.forget('parse', inboundId);
    await queues.enqueueParse(inboundId);
  } finally {
    await queues.close();
    redis.disconnect();
  }
}

const positiveId = (id: string): number => {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new ValidationError(`message id must be a positive whole number; got "${id}"`);
  return n;
};

const sinceDate = (since: string | undefined): Date | undefined => {
  if (since === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(`${since}T00:00:00Z`))) throw new ValidationError(`--since must be a date YYYY-MM-DD; got "${since}"`);
  return new Date(`${since}T00:00:00Z`);
};

/** `messages correct|corrections|export-labelled`: consultants' corrections of the mail classifier. */
function registerCorrectionCommands(messages: Command): void {
  messages
    .command('correct <id>')
    .description('correct the classifier: --as automatic (a filed question was automatic mail) or --as human (an ignored message was a person\'s)')
    .requiredOption('--as <label>', `what the message really was (${MESSAGE_LABELS.join(', ')})`)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { as: string; json?: boolean }) => {
      const inboundId = positiveId(id);
      if (!MESSAGE_LABELS.includes(opts.as as MessageLabel)) throw new ValidationError(`--as must be one of ${MESSAGE_LABELS.join(', ')}; got "${opts.as}"`);
      await withDatabase(async ({ orm, config }) => {
        const result = await correctClassification(orm.em.fork(), { inboundId, label: opts.as as MessageLabel, actor: userInfo().username });
        if (result.refile) await requeueParse(config, inboundId);
        if (opts.json) return printJson(result);
        process.stdout.write(`${describeCorrection(result)}\n`);
      });
    });
  messages
    .command('corrections')
    .description('list the consultants\' corrections of the classifier, newest first')
    .option('--since <YYYY-MM-DD>', 'only corrections made on or after this day')
    .option('--json', 'print JSON')
    .action(async (opts: { since?: string; json?: boolean }) => {
      const since = sinceDate(opts.since);
      await withDatabase(async ({ orm }) => {
        const rows = await listCorrections(orm.em.fork(), { since });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no corrections\n');
        for (const c of rows) {
          process.stdout.write(`${String(c.inboundId).padStart(6)}  ${c.classifiedAs} -> ${c.label.padEnd(9)} ${(c.classifierKind ?? '-').padEnd(15)} ${c.caseId ? `CD-${c.caseId}` : '-'}  ${c.correctedBy} ${c.createdAt}\n`);
        }
      });
    });
  messages
    .command('export-labelled')
    .description('write every corrected message as a labelled .eml (automatic/, human/, MANIFEST.tsv) for the test corpus')
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--since <YYYY-MM-DD>', 'only corrections made on or after this day')
    .option('--json', 'print JSON')
    .action(async (opts: { out: string; since?: string; json?: boolean }) => {
      const since = sinceDate(opts.since);
      await withDatabase(async ({ orm }) => {
        const result = await exportLabelled(orm.em.fork(), { outDir: opts.out, since, actor: userInfo().username });
        if (opts.json) return printJson(result);
        process.stdout.write(`wrote ${result.written.length} labelled messages and ${result.manifest}${result.skipped.length ? `; skipped ${result.skipped.length} (raw source gone)` : ''}\n`);
        process.stderr.write('these are the messages as received: scrub patient details before adding them to a repository\n');
      });
    });
}

function describeCorrection(r: CorrectionResult): string {
  if (r.already) return `message ${r.inboundId} was already labelled ${r.label}`;
  if (r.refile) return `message ${r.inboundId} labelled human; queued to be filed as a question`;
  const closed = r.closedCaseId ? `; case CD-${r.closedCaseId} closed` : '';
  return `message ${r.inboundId} labelled automatic; ${r.rejectedDraftIds.length} pending draft(s) rejected${closed}`;
}
