import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { loadConfig } from '../../../config/index.ts';
import { ValidationError } from '../../shared/errors.ts';

/** Build a raw question message (RFC 5322) with Nodemailer's composer. */
async function composeQuestion(opts: { from: string; to: string; subject: string; text: string; inReplyTo?: string }): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail({ from: opts.from, to: opts.to, subject: opts.subject, text: opts.text, inReplyTo: opts.inReplyTo, references: opts.inReplyTo });
  return info.message as Buffer;
}

/** `casedesk dev …`: helpers for trying CaseDesk locally. */
export function registerDevCommand(program: Command): void {
  const dev = program.command('dev').description('development helpers');
  dev
    .command('send-question')
    .description('put a coder question into the configured IMAP mailbox (IMAP APPEND), as if it had been mailed in')
    .option('--from <address>', 'the coder', 'coder@example.test')
    .option('--subject <text>', 'subject', 'Can 97530 be billed with 97140 on the same day?')
    .option('--text <text>', 'body text', 'Hello,\n\nCan 97530 and 97140 be billed together for DOS 01/15/2025? Dx M54.50.\n\nThanks')
    .option('--file <path>', 'append this raw .eml file instead of composing one')
    .option('--in-reply-to <message-id>', 'make it a reply to this Message-ID')
    .action(async (opts: { from: string; subject: string; text: string; file?: string; inReplyTo?: string }) => {
      const config = loadConfig();
      const env = config.env;
      if (!env.IMAP_USER || !env.IMAP_PASSWORD) throw new ValidationError('IMAP_USER and IMAP_PASSWORD must be set (see .env.example)');
      const raw = opts.file
        ? readFileSync(opts.file)
        : await composeQuestion({ from: opts.from, to: env.MAIL_FROM, subject: opts.subject, text: opts.text, inReplyTo: opts.inReplyTo });
      const client = new ImapFlow({
        host: env.IMAP_HOST, port: env.IMAP_PORT, secure: env.IMAP_SECURE, auth: { user: env.IMAP_USER, pass: env.IMAP_PASSWORD },
        tls: { rejectUnauthorized: env.IMAP_TLS_REJECT_UNAUTHORIZED }, logger: false,
      });
      await client.connect();
      try {
        const result = await client.append(env.IMAP_MAILBOX, raw);
        process.stdout.write(`appended to ${env.IMAP_MAILBOX}${result && result.uid ? ` as UID ${result.uid}` : ''} (${raw.length} bytes)\n`);
      } finally {
        await client.logout();
      }
    });
}
