import { writeFileSync } from 'node:fs';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { listAttachments, openAttachment, type AttachmentListing } from '../../attachments/access.ts';
import { AuditEntry } from '../../review/audit.entity.ts';
import { NotFoundError, ValidationError } from '../../shared/errors.ts';
import { printJson, withDatabase } from '../context.ts';

/** `CD-12`, `case:12` or `12` → a case; `message:34` or `msg:34` → one case message. */
export function parseAttachmentScope(value: string): { caseId: number } | { caseMessageId: number } {
  const text = value.trim();
  const message = /^(?:message|msg):(\d+)$/i.exec(text);
  if (message) return { caseMessageId: Number(message[1]) };
  const caseRef = /^(?:CD-|case:)?(\d+)$/i.exec(text);
  if (caseRef && Number(caseRef[1]) > 0) return { caseId: Number(caseRef[1]) };
  throw new ValidationError(`expected a case (CD-12, case:12 or 12) or a case message (message:34); got "${value.slice(0, 60)}"`);
}

function positiveId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`attachment id must be a positive whole number; got "${value.slice(0, 60)}"`);
  return id;
}

function printRow(a: AttachmentListing): void {
  const scan = a.signature ? `${a.state} (${a.signature})` : a.state;
  process.stdout.write(`${String(a.id).padStart(6)}  CD-${a.caseId}  msg ${a.caseMessageId}  ${scan.padEnd(14)} ${a.sizeLabel.padStart(9)}  ${a.sniffedType}  ${a.name}${a.reason ? `\n        ${a.reason}` : ''}\n`);
}

/** `casedesk attachments list|get`: what a coder attached, and a scanned, clean copy of it. */
export function registerAttachmentsCommand(program: Command): void {
  const attachments = program.command('attachments').description('attachments of case messages: list them, save a clean one');
  attachments
    .command('list <case-or-message-id>')
    .description('list the attachments of a case (CD-12, 12) or of one case message (message:34), with scan state')
    .option('--json', 'print JSON (with the text read from each attachment)')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const scope = parseAttachmentScope(ref);
      await withDatabase(async ({ orm }) => {
        const rows = await listAttachments(orm.em.fork(), scope, { withText: opts.json ?? false });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no attachments\n');
        for (const a of rows) printRow(a);
      });
    });
  attachments
    .command('get <id>')
    .description('save an attachment to a file (refused when infected or not scanned yet)')
    .requiredOption('--out <file>', 'where to write it (an existing file is not overwritten)')
    .action(async (id: string, opts: { out: string }) => {
      const attachmentId = positiveId(id);
      await withDatabase(async ({ orm }) => {
        const em = orm.em.fork();
        const actor = userInfo().username;
        const { row, content } = await openAttachment(em, attachmentId).catch(async (err: unknown) => {
          if (!(err instanceof NotFoundError)) {
            await appendAudit(em, { actor, action: 'attachment.refused', details: { attachmentId, via: 'cli' } });
            await em.flush();
          }
          throw err;
        });
        writeFileSync(opts.out, content, { flag: 'wx' });
        await appendAudit(em, { actor, action: 'attachment.download', caseId: row.caseId, details: { attachmentId, via: 'cli', sha256: row.sha256 ?? null } });
        await em.flush();
        process.stdout.write(`wrote ${opts.out} (${row.name}, ${content.length} bytes, ${row.state})\n`);
      });
    });
}
