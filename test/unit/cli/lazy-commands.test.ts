import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, commandNamed } from '../../../src/cli/command-map.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'casedesk-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Modules `casedesk --help` must not load: the ORM, queues, mail, the code tables, the stages. */
const HEAVY = /node_modules\/(?:@mikro-orm|knex|bullmq|ioredis|imapflow|mailparser|nodemailer|fastify|pino|zod|better-sqlite3|pg)\/|\/dist\/vendor\/|\/(?:src\/(?:db|codes|mail|drafts|cases|ingest|review|web)|workers\/main)\b/;

/** Run the real CLI entry with a resolve hook that lists every module it loads. */
function loadedBy(args: string[], name: string): { status: number | null; stdout: string; modules: string[] } {
  const file = join(dir, `${name}.txt`);
  const run = spawnSync(process.execPath, ['--import', './test/support/trace-imports.mjs', 'bin/casedesk.js', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRACE_IMPORTS_FILE: file },
  });
  let modules: string[] = [];
  try {
    modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch { /* nothing loaded through the hook */ }
  return { status: run.status, stdout: run.stdout, modules };
}

describe('casedesk loads only the command it runs', () => {
  it('--help lists every command without loading the ORM, queues, mail or code modules', () => {
    const run = loadedBy(['--help'], 'help');
    expect(run.status).toBe(0);
    for (const [name, { description }] of Object.entries(COMMANDS)) expect(run.stdout.replace(/\s+/g, ' ')).toContain(`${name} ${description}`);
    expect(run.modules.some((m) => m.includes('commander'))).toBe(true); // the hook sees what loads
    expect(run.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('codes --help loads the codes command and still no other command module', () => {
    const run = loadedBy(['codes', '--help'], 'codes');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('lookup');
    const commandModules = run.modules.filter((m) => /src\/cli\/commands\//.test(m)).map((m) => m.replace(/.*\/commands\//, ''));
    expect(commandModules).toEqual(expect.arrayContaining([expect.stringMatching(/^codes\./)]));
    expect(commandModules.filter((m) => !/^codes\./.test(m))).toEqual([]);
  });

  it('the map describes each command exactly as its module registers it', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const program = new Command('casedesk');
      (await entry.load())(program, async () => ({ stop: async () => {} }));
      expect(program.commands.find((c) => c.name() === name)?.description(), name).toBe(entry.description);
    }
  });

  it('finds the command an argv names, also behind help and options', () => {
    expect(commandNamed(['node', 'casedesk', 'codes', 'lookup', 'M54.5'])).toBe('codes');
    expect(commandNamed(['node', 'casedesk', 'help', 'drafts'])).toBe('drafts');
    expect(commandNamed(['node', 'casedesk', '--help'])).toBeUndefined();
    expect(commandNamed(['node', 'casedesk', 'toString'])).toBeUndefined();
  });
});
