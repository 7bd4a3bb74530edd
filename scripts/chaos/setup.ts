import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subscriber } from './mail.ts';
import type { Timeline } from './util.ts';

/**
 * Run `casedesk` commands (each an argument array) through the CLI's entry point, all in one
 * process (scripts/chaos/cli-batch.mjs); rejects when one fails.
 */
export function casedeskBatch(root: string, cwd: string, env: Record<string, string>, commands: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/chaos/cli-batch.mjs')], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`casedesk batch exited ${code}: ${out.slice(-800)}`))));
    child.stdin.end(JSON.stringify(commands));
  });
}

/**
 * The run's fixtures, through the real CLI commands: migrate the fresh database once (before
 * six processes race to), `casedesk subscribers add <pattern> --plan <plan>` for each
 * subscriber, and `casedesk users add … --role consultant --password-file …` for the JSON API.
 */
export async function setupFixtures(root: string, runDir: string, env: Record<string, string>, subs: Subscriber[], timeline: Timeline): Promise<{ email: string; password: string }> {
  const t = Date.now();
  const email = 'consultant@casedesk.chaos.test';
  const password = randomBytes(18).toString('base64url');
  const pwFile = join(runDir, 'consultant.pw');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  const out = await casedeskBatch(root, runDir, env, [
    ['db', 'migrate'],
    ...subs.map((s) => ['subscribers', 'add', s.pattern, '--plan', s.plan]),
    ['users', 'add', email, '--role', 'consultant', '--password-file', pwFile],
  ]);
  writeFileSync(join(runDir, 'setup.log'), out);
  timeline.say('fixtures ready', { subscribers: subs.length, ms: Date.now() - t });
  return { email, password };
}
