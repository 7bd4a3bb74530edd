import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addUser, checkPassword, listUsers, removeUser, type UserView } from '../../review/users.ts';
import { USER_ROLES } from '../../review/user.entity.ts';
import { ValidationError } from '../../shared/errors.ts';
import { WebSession } from '../../web/web-session.entity.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { printJson, withDatabase } from '../context.ts';

/** The password from a file: its first line (a trailing newline is not part of it). */
export function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').split(/\r?\n/)[0];
}

/** Prompt for a password on the terminal without echo (raw mode, characters never printed). */
export function promptPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new ValidationError('no terminal to prompt for a password: use --password-file <file>'));
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new ValidationError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Aligned plain-text table of users. */
export function formatUserTable(rows: UserView[]): string {
  if (rows.length === 0) return 'no users\n';
  const table = [['EMAIL', 'ROLE', 'ACTIVE', 'LAST LOGIN'], ...rows.map((r) => [r.email, r.role, r.active ? 'yes' : 'no', r.lastLoginAt?.slice(0, 16).replace('T', ' ') ?? '-'])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** Registers `casedesk users`: add, list, remove (review-page accounts). */
export function registerUsersCommand(program: Command): void {
  const cmd = program.command('users').description('manage review-page accounts (consultants and admins)');

  cmd.command('add <email>')
    .description('add a consultant or admin; the password is prompted (no echo) or read from a file')
    .requiredOption('--role <role>', `one of ${USER_ROLES.join(', ')}`)
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action(async (email: string, opts: { role: string; passwordFile?: string }) => {
      if (!USER_ROLES.includes(opts.role as never)) throw new ValidationError(`--role must be one of ${USER_ROLES.join(', ')}`);
      let password: string;
      if (opts.passwordFile) password = readPasswordFile(opts.passwordFile);
      else {
        password = await promptPassword('Password: ');
        checkPassword(password);
        if ((await promptPassword('Again: ')) !== password) throw new ValidationError('the passwords do not match');
      }
      await withDatabase(async ({ orm }) => {
        const u = await addUser(orm.em.fork(), { email, role: opts.role, password, actor: 'cli' });
        process.stdout.write(`added ${u.email} (${u.role})\n`);
      });
    });

  cmd.command('list')
    .description('list accounts')
    .option('--json', 'print JSON')
    .option('--all', 'include removed accounts')
    .action(async (opts: { json?: boolean; all?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const rows = await listUsers(orm.em.fork(), { includeInactive: opts.all });
        await appendAudit(orm.em.fork(), { actor: 'cli', action: 'admin.read', details: { what: 'users', rows: rows.length } });
        if (opts.json) printJson(rows);
        else process.stdout.write(formatUserTable(rows));
      });
    });

  cmd.command('remove <email>')
    .description('remove an account (its sessions end; audit history stays)')
    .action(async (email: string) => {
      await withDatabase(async ({ orm }) => {
        const em = orm.em.fork();
        const u = await removeUser(em, email, 'cli');
        await em.nativeDelete(WebSession, { userId: u.id });
        process.stdout.write(`removed ${u.email}\n`);
      });
    });
}
