import { userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { makeMessageId } from '../../shared/message-id.ts';
import { createReplyRenderer } from '../../drafts/render.ts';
import { saveDraft } from '../../review/actions.ts';
import { approveDraft, listDrafts, rejectDraft, showDraft } from '../../review/review.ts';
import { createUnresolvedCodes } from '../../review/unresolved-codes.ts';
import { createQueues } from '../../shared/queues.ts';
import { createRedis } from '../../shared/redis.ts';
import { ConflictError, ValidationError } from '../../shared/errors.ts';
import type { DraftState } from '../../drafts/draft.entity.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { printJson, withDatabase, type CliContext } from '../context.ts';
import { confirm, editText } from '../editor.ts';

const STATES: DraftState[] = ['pending', 'approved', 'rejected', 'sent', 'failed'];

function draftId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`draft id must be a positive whole number; got "${value}"`);
  return id;
}

function actorName(opts: { as?: string }): string {
  return opts.as ?? userInfo().username;
}

/** Approve a draft (optionally with a new text) and queue its reply for the send stage. */
async function approveAndQueue({ orm, config }: CliContext, id: number, actor: string, bodyText?: string): Promise<Awaited<ReturnType<typeof approveDraft>>> {
  const renderer = createReplyRenderer();
  const result = await approveDraft(
    {
      em: orm.em.fork(),
      makeMessageId: (key, caseId) => makeMessageId(key, config.messageIdDomain, caseId, config.messageIdKeys()[0]),
      textToHtml: (text) => renderer.renderConsultantReply(text).html,
      unresolvedCodes: createUnresolvedCodes(orm),
    },
    { draftId: id, actor, bodyText: bodyText === undefined ? undefined : renderer.renderConsultantReply(bodyText).text },
  );
  const redis = createRedis(config.env.REDIS_URL);
  const queues = createQueues(redis, config.env.QUEUE_PREFIX);
  try {
    await queues.enqueueSend(result.outboxId);
  } finally {
    await queues.close();
    redis.disconnect();
  }
  return result;
}

/**
 * `casedesk drafts edit <id> [--approve] [--yes]`: the draft's current text in `$VISUAL` /
 * `$EDITOR`, as `git commit` does; saved when the editor exits with a changed, non-empty text.
 */
function registerEditCommand(drafts: Command): void {
  drafts
    .command('edit <id>')
    .description('edit a pending draft in $VISUAL/$EDITOR; with --approve, approve it afterwards (asks first)')
    .option('--approve', 'approve and send the draft after editing (asks for confirmation)')
    .option('--yes', 'with --approve: do not ask')
    .option('--as <name>', 'who edits and approves (audit log)')
    .action(async (id: string, opts: { approve?: boolean; yes?: boolean; as?: string }) => {
      const draft = draftId(id);
      const actor = actorName(opts);
      await withDatabase(async (ctx) => {
        const current = await showDraft(ctx.orm.em.fork(), draft);
        if (current.state !== 'pending') throw new ConflictError(`draft ${draft} is ${current.state}, only a pending draft can be edited`);
        const outcome = await editText(current.bodyText, `${current.case.number}-draft-${draft}.txt`);
        if (outcome.kind === 'empty') throw new ValidationError(`the edited text is empty: draft ${draft} not changed${opts.approve ? ', not approved' : ''}`);
        if (outcome.kind === 'changed') {
          await saveDraft({ em: ctx.orm.em.fork(), renderConsultantReply: createReplyRenderer().renderConsultantReply }, { draftId: draft, actor, bodyText: outcome.text });
          process.stdout.write(`saved: draft ${draft}\n`);
        } else process.stdout.write(`no change: draft ${draft}\n`);
        if (!opts.approve) return;
        if (!opts.yes && !(await confirm(`Approve draft ${draft} and send it to ${current.case.requester}?`))) {
          process.stdout.write(`not approved: draft ${draft} stays pending\n`);
          return;
        }
        const result = await approveAndQueue(ctx, draft, actor);
        process.stdout.write(`approved: draft ${draft}, reply queued (outbox ${result.outboxId})\n`);
      });
    });
}

/** `casedesk drafts list|show|edit|approve|reject`: the consultant's work from a terminal. */
export function registerDraftsCommand(program: Command): void {
  const drafts = program.command('drafts').description('review drafts: list, show, edit, approve, reject');
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
        printDraft(d);
      });
    });
  drafts
    .command('approve <id>')
    .description('approve a pending draft and queue the reply for sending (without --body-file, a suggested answer is approved as suggested: "Approve suggested answer")')
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
      await withDatabase(async (ctx) => {
        const result = await approveAndQueue(ctx, draftId(id), actorName(opts), bodyText);
        const what = result.approvedUnchanged ? 'suggested answer approved unchanged' : result.suggested ? 'edited suggested answer approved' : 'approved';
        process.stdout.write(`${result.already ? `already ${what}` : what}: draft ${id}, reply queued (outbox ${result.outboxId})\n`);
      });
    });
  registerEditCommand(drafts);
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

/** `drafts show` in plain text: the draft, its suggestion (facts, whether it is unedited) and its text. */
function printDraft(d: Awaited<ReturnType<typeof showDraft>>): void {
  process.stdout.write(`Draft ${d.id} (${d.kind}, ${d.state}) for ${d.case.number} from ${d.case.requester}\nSubject: ${d.subject}\nVersions: ${d.versions.join(', ') || '-'}\n`);
  if (d.outbox) process.stdout.write(`Reply: ${d.outbox.state}${d.outbox.lastError ? ` (${d.outbox.lastError})` : ''}${d.outbox.bounceStatus ? ` bounced ${d.outbox.bounceStatus}: ${d.outbox.bounceDiagnostic ?? ''}` : ''}\n`);
  if (d.suggestion) {
    process.stdout.write(`Suggested answer: yes (intents: ${d.suggestion.intents.join(', ') || '-'})${d.suggestion.unchanged ? ', text unedited' : d.state === 'pending' ? ', text edited' : ''}\n`);
    for (const fact of d.suggestion.facts) process.stdout.write(`  fact: ${JSON.stringify(fact)}\n`);
    if (d.suggestion.approveAction) process.stdout.write(`${d.suggestion.approveAction}: casedesk drafts approve ${d.id}\n`);
  }
  process.stdout.write(`\n${d.bodyText}\n`);
}
