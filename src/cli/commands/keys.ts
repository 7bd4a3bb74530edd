import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { chooseMasterKey, encryptedColumns, keyStatus, OrmDataKeyStore, rotateMasterKey, type KeyStatus, type MasterKey } from '../../crypto/index.ts';
import { keyringOf } from '../../db/orm.ts';
import { ValidationError } from '../../shared/errors.ts';
import { printJson, withDatabase, type CliContext } from '../context.ts';

/** The master key a setting names, or a clear usage error when there is none. */
function requireKey(settings: { key?: string; file?: string; nodeEnv: 'development' | 'production' | 'test' }, names: { key: string; file: string }): MasterKey {
  const choice = chooseMasterKey(settings, undefined, names);
  if (choice.kind !== 'key') throw new ValidationError(`${names.key} or ${names.file} is required`);
  return choice.master;
}

/** Plain-text form of `keys status`: one line per master key and per data key. */
export function formatKeyStatus(s: KeyStatus): string {
  const lines: string[] = [];
  for (const mk of s.masterKeys) lines.push(`master key ${mk.id}: data keys ${mk.dataKeys.join(', ') || '-'}, ${mk.values} values`);
  for (const dk of s.dataKeys) {
    const cols = Object.entries(dk.byColumn).map(([c, n]) => `${c}=${n}`).join(' ');
    lines.push(`data key ${dk.id} (${dk.masterKeyId}, active ${dk.activeFrom}${dk.retiredAt ? `, retired ${dk.retiredAt}` : ''}): ${dk.values} values${cols ? ` [${cols}]` : ''}`);
  }
  if (s.dataKeys.length === 0) lines.push('no data keys (nothing encrypted yet: no DATA_KEY was configured)');
  const plain = Object.entries(s.plaintext);
  lines.push(plain.length ? `plaintext values: ${plain.map(([c, n]) => `${c}=${n}`).join(' ')} (run \`casedesk db encrypt-existing\`)` : 'plaintext values: none');
  const orphans = Object.entries(s.orphans);
  if (orphans.length) lines.push(`VALUES UNDER UNKNOWN KEYS: ${orphans.map(([c, n]) => `${c}=${n}`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

async function rotate(ctx: CliContext, opts: { newKeyFile?: string; batchSize: string }): Promise<void> {
  const env = ctx.config.env;
  const from = requireKey({ key: env.DATA_KEY, file: env.DATA_KEY_FILE, nodeEnv: env.NODE_ENV }, { key: 'DATA_KEY', file: 'DATA_KEY_FILE' });
  const to = requireKey({ key: opts.newKeyFile ? undefined : env.DATA_KEY_NEW, file: opts.newKeyFile, nodeEnv: env.NODE_ENV }, { key: 'DATA_KEY_NEW', file: '--new-key-file' });
  const batchSize = Number(opts.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValidationError('--batch-size must be a positive integer');
  const result = await rotateMasterKey({
    store: new OrmDataKeyStore(ctx.orm.em),
    from: [from],
    to,
    batchSize,
    onBatch: (p) => process.stderr.write(`re-wrapped ${p.rewrapped} data keys (up to id ${p.lastId})\n`),
  });
  await appendAudit(ctx.orm.em.fork(), { actor: 'cli', action: 'keys.rotate', details: { from: result.fromIds, to: result.toId, rewrapped: result.rewrapped, verified: result.verified } });
  process.stdout.write(`rotated to master key ${result.toId}: ${result.rewrapped} data keys re-wrapped, ${result.alreadyCurrent} already current, ${result.verified} verified with the new key alone\n`);
  process.stdout.write('now set DATA_KEY (or DATA_KEY_FILE) of every service to the new key and restart them; the old key is no longer needed\n');
}

/** Registers `casedesk keys`: rotate the master key, show which keys cover how many values. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('encryption keys of message content: rotate the master key, status');
  keys.command('rotate')
    .description('re-wrap every data key under a new master key (DATA_KEY_NEW or --new-key-file); resumable, idempotent')
    .option('--new-key-file <file>', 'file holding the new master key (base64, 32 bytes)')
    .option('--batch-size <n>', 'data keys per batch', '100')
    .action(async (opts: { newKeyFile?: string; batchSize: string }) => {
      await withDatabase((ctx) => rotate(ctx, opts), { keyless: true });
    });
  keys.command('status')
    .description('master and data key ids, and how many stored values each covers')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const status = await keyStatus(orm.em.fork(), new OrmDataKeyStore(orm.em), encryptedColumns(orm));
        if (opts.json) printJson({ encrypting: keyringOf(orm) !== null, ...status });
        else process.stdout.write(formatKeyStatus(status));
      });
    });
}
