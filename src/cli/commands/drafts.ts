import { userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { makeMessageId } from '../../shared/message-id.ts';
import { textToHtml } from '../../drafts/render.ts';
import { approveDraft, listDrafts, rejectDraft, showDraft } from '../../review/review.ts';
import { createUnresolvedCodes } from '../../review/unresolved-codes.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { ValidationError } from '../../shared/errors.ts';
import type { DraftState } from '../../drafts/draft.entity.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { printJson, withDatabase } from '../context.ts';

const STATES: DraftState[] = ['pending', 'approved', 'rejected', 'sent', 'failed'];

function draftId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`draft id must be a positive whole number; got "${value}"`);
  return id;
}

function actorName(opts: { as?: string }): string {
  return opts.as ?? userInfo().username;
}

/** `casedesk drafts list|show|approve|reject`: the consultant's work from a terminal. */
export function registerDraftsCommand(program: Command): void {
  const drafts = program.command('drafts').description('review drafts: list, show, approve, reject');
  drafts
    .command('list')
    .description('drafts by due time')
    .option('--state <state>', `only drafts in this state (${STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '200')
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; limit: string; json?: boolean }) => {
      if (opts.state && !STATES.includes(opts.state as DraftState)) throw new ValidationError(`--state must be one of ${STATES.join(', ')}`);
      await withDatabase(async ({ orm }) => {
        const rows = await listDrafts(orm.em.fork(), { state: opts.state as DraftState | undefined, limit: Number(opts.limit) });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no drafts\n');
        for (const d of rows) {
          const codes = Object.values(d.codes).flat().join(' ');
          process.stdout.write(`${String(d.id).padStart(5)}  ${d.state.padEnd(8)} ${d.caseNumber.padEnd(8)} due ${d.dueAt ?? '-'}  ${d.requester}  ${d.subject}${codes ? `  [${codes}]` : ''}\n`);
        }
      });
    });
  drafts
    .command('show <id>')
    .description('one draft with its evidence, versions and delivery state')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const d = await showDraft(orm.em.fork(), draftId(id));
        await appendAudit(orm.em.fork(), { actor: 'cli', action: 'draft.view', caseId: d.case.id, draftId: d.id, details: { via: 'cli' } });
        if (opts.json) return printJson(d);
        process.stdout.write(`Draft ${d.id} (${d.kind}, ${d.state}) for ${d.case.number} from ${d.case.requester}\nSubject: ${d.subject}\nVersions: ${d.versions.join(', ') || '-'}\n`);
        if (d.outbox) process.stdout.write(`Reply: ${d.outbox.state}${d.outbox.lastError ? ` (${d.outbox.lastError})` : ''}${d.outbox.bounceStatus ? ` bounced ${d.outbox.bounceStatus}: ${d.outbox.bounceDiagnostic ?? ''}` : ''}\n`);
        process.stdout.write(`\n${d.bodyText}\n`);
      });
    });
  drafts
    .command('approve <id>')
    .description('approve a pending draft and queue the reply for sending')
    .option('--body-file <file>', 'replace the reply text with this file (UTF-8)')
    .option('--as <name>', 'who approves (audit log)')
    .action(async (id: string, opts: { bodyFile?: string; as?: string }) => {
      let bodyText: string | undefined;
      if (opts.bodyFile) {
        try {
          bodyText = readFileSync(opts.bodyFile, 'utf8');
        } catch (err) {
          throw new ValidationError(`cannot read --body-file ${opts.bodyFile}: ${(err as Error).message}`);
        }
      }
      await withDatabase(async ({ orm, config }) => {
        const result = await approveDraft(
          { em: orm.em.fork(), makeMessageId: (key, caseId) => makeMessageId(key, config.messageIdDomain, caseId), textToHtml, unresolvedCodes: createUnresolvedCodes(orm) },
          { draftId: draftId(id), actor: actorName(opts), bodyText },
        );
        const redis = createRedis(config.env.REDIS_URL);
        const queues = createQueues(redis, config.env.QUEUE_PREFIX);
        try {
          await queues.enqueueSend(result.outboxId);
        } finally {
          await queues.close();
          redis.disconnect();
        }
        process.stdout.write(`${result.already ? 'already approved' : 'approved'}: draft ${id}, reply queued (outbox ${result.outboxId})\n`);
      });
    });
  drafts
    .command('reject <id>')
    .description('reject a pending draft; nothing is sent')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--as <name>', 'who rejects (audit log)')
    .action(async (id: string, opts: { reason: string; as?: string }) => {
      await withDatabase(async ({ orm }) => {
        await rejectDraft(orm.em.fork(), { draftId: draftId(id), actor: actorName(opts), reason: opts.reason });
        process.stdout.write(`rejected: draft ${id}\n`);
      });
    });
}
