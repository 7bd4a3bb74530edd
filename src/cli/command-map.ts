import type { Command } from 'commander';
import type { RoleStarter } from './commands/run.ts';

/** Adds one module's commands to the program. */
export type Registrar = (program: Command, start: RoleStarter) => void;

/**
 * The top-level commands, their one-line descriptions (for `casedesk --help`) and how to load the
 * module that defines them. Only the module of the command being run is imported: `--help` loads
 * none of them, `codes lookup` only src/cli/commands/codes.ts and what it needs. The descriptions
 * here must equal the ones the modules register (test/unit/cli/lazy-commands.test.ts).
 */
export const COMMANDS: Record<string, { description: string; load: () => Promise<Registrar> }> = {
  start: { description: 'run everything in one process: ingest, the parse/draft/send workers and the web page', load: run },
  ingest: { description: 'run mailbox ingest only (one leader per mailbox)', load: run },
  worker: { description: 'run queue workers', load: run },
  web: { description: 'run the web page and JSON API only', load: run },
  drafts: { description: 'review drafts: list, show, edit, approve, reject', load: async () => (await import('./commands/drafts.ts')).registerDraftsCommand },
  cases: { description: 'cases: release a held case', load: async () => (await import('./commands/cases.ts')).registerCasesCommand },
  outbox: { description: 'outgoing mail (replies and notices) and its delivery state', load: async () => (await import('./commands/outbox.ts')).registerOutboxCommand },
  messages: { description: 'inbound messages: list by state, retry a quarantined one, correct the classifier, export labelled messages', load: async () => (await import('./commands/messages.ts')).registerMessagesCommand },
  attachments: { description: 'attachments of case messages: list them, save a clean one', load: async () => (await import('./commands/attachments.ts')).registerAttachmentsCommand },
  stats: { description: 'figures about the work', load: async () => (await import('./commands/stats.ts')).registerStatsCommand },
  extract: { description: 'list the billing codes a message mentions (reads the message on stdin)', load: async () => (await import('./commands/extract.ts')).registerExtractCommand },
  suggest: { description: 'print the suggested answer for a message read on stdin (RFC 5322 or plain text)', load: async () => (await import('./commands/suggest.ts')).registerSuggestCommand },
  classify: { description: 'classify one raw message read on stdin (human, auto-reply, bounce, list, …)', load: async () => (await import('./commands/classify.ts')).registerClassifyCommand },
  phi: { description: 'mark patient identifiers in a message (reads the message on stdin)', load: async () => (await import('./commands/phi.ts')).registerPhiCommand },
  codes: { description: 'the code database: import releases, look codes up, search, NCCI and MUE edits', load: async () => (await import('./commands/codes.ts')).registerCodesCommand },
  subscribers: { description: 'manage subscribers (an email address or a whole @domain) and their plans', load: async () => (await import('./commands/subscribers.ts')).registerSubscribersCommand },
  users: { description: 'manage review-page accounts (consultants and admins)', load: async () => (await import('./commands/users.ts')).registerUsersCommand },
  db: { description: 'database maintenance', load: async () => (await import('./commands/db.ts')).registerDbCommand },
  keys: { description: 'encryption keys of message content: rotate the master key, status', load: async () => (await import('./commands/keys.ts')).registerKeysCommand },
  purge: { description: 'purge raw sources older than RETAIN_RAW_DAYS and the content of cases closed longer than RETAIN_CASE_DAYS', load: async () => (await import('./commands/purge.ts')).registerPurgeCommand },
  audit: { description: 'the hash-chained audit log: verify, export', load: async () => (await import('./commands/audit.ts')).registerAuditCommand },
  dev: { description: 'development helpers', load: async () => (await import('./commands/dev.ts')).registerDevCommand },
  doctor: { description: 'check the database, Redis and (with --imap, --clamd) the mailbox and the virus scanner; exit 1 when one fails', load: async () => (await import('./commands/doctor.ts')).registerDoctorCommand },
};

async function run(): Promise<Registrar> {
  return (await import('./commands/run.ts')).registerRunCommands;
}

/** The top-level command an argv names (`casedesk help codes` names codes), if it is one of ours. */
export function commandNamed(argv: string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}
