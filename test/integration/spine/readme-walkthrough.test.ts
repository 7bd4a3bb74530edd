import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSULTANT_ANSWER_MARKER } from '../../../src/drafts/reply-view.ts';
import { createTestMailbox, deleteMailbox, testImapEnv, waitFor } from '../../support/imap.ts';
import { createQueuePrefix, TEST_REDIS_URL } from '../../support/redis.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { freePort } from '../../support/ports.ts';

const ANSWER = 'Yes: both may be billed on the same day when the services are documented as separate.';


/** The `node bin/casedesk.js …` lines of the README's "To see it work" block, comments removed. */
function walkthroughCommands(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const block = readme.slice(readme.indexOf('To see it work'), readme.indexOf('(`swaks'));
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('node bin/casedesk.js '));
}

function run(command: string, env: Record<string, string>, input = ''): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, out, err }));
    child.stdin.end(input);
  });
}

/**
 * The README walk-through, command for command, against `casedesk start` on a fresh SQLite file:
 * `drafts edit 1 --approve` runs with EDITOR set to a script that writes the answer in place of
 * the marker, and the confirmation is answered `y` on standard input.
 */
describe('the README walk-through', () => {
  let dir: string;
  let smtp: SmtpReceiver;
  let mailbox: string;
  let queue: ReturnType<typeof createQueuePrefix>;
  let env: Record<string, string>;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casedesk-readme-'));
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('readme');
    queue = createQueuePrefix();
    const editor = join(dir, 'editor.mjs');
    writeFileSync(editor, [
      "import { readFileSync, writeFileSync } from 'node:fs';",
      'const file = process.argv[2];',
      // In place of the marker; a draft with a suggested answer has none: then the answer goes first under ANSWER.
      "const text = readFileSync(file, 'utf8');",
      `const marker = ${JSON.stringify(CONSULTANT_ANSWER_MARKER)};`,
      `const answer = ${JSON.stringify(ANSWER)};`,
      "const head = 'ANSWER' + String.fromCharCode(10, 10);",
      'const at = text.indexOf(head);',
      'const out = text.includes(marker) ? text.replace(marker, answer) : at >= 0 ? text.slice(0, at + head.length) + answer + String.fromCharCode(10, 10) + text.slice(at + head.length) : answer + String.fromCharCode(10, 10) + text;',
      'writeFileSync(file, out);',
    ].join('\n'));
    env = {
      ...(process.env as Record<string, string>),
      ...testImapEnv(mailbox),
      DATABASE_URL: join(dir, 'var', 'casedesk.sqlite'),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queue.prefix,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      MAIL_FROM: 'casedesk@example.test',
      IMAP_POLL_SECONDS: '1',
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      VISUAL: '',
      EDITOR: `node ${editor}`,
    };
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((r) => child!.once('exit', r));
    await smtp?.close();
    await queue?.cleanup();
    if (mailbox) await deleteMailbox(mailbox);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs unchanged, with drafts edit --approve sending the answer', { timeout: 180_000 }, async () => {
    const commands = walkthroughCommands();
    expect(commands.some((c) => c.startsWith('node bin/casedesk.js drafts edit 1 --approve'))).toBe(true);
    // Terminal 1: scripts/run-local.sh ends in `casedesk start`; the walk-through begins once it is up.
    let log = '';
    child = spawn(process.execPath, ['bin/casedesk.js', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c) => (log += String(c)));
    child.stderr!.on('data', (c) => (log += String(c)));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${env.HTTP_PORT}/login`).catch(() => null))?.ok, { timeoutMs: 60_000, intervalMs: 250, what: `casedesk start (log: ${log.slice(-2000)})` });
    for (const command of commands) {
      if (command.includes(' codes import ')) continue; // optional: needs CMS files the CI does not have
      if (command.includes(' drafts list')) {
        await waitFor(async () => (await run('node bin/casedesk.js drafts list', env)).out.includes('pending'), { timeoutMs: 90_000, intervalMs: 500, what: `a pending draft (log: ${log.slice(-2000)})` });
      }
      const result = await run(command, env, command.includes('--approve') ? 'y\n' : '');
      expect({ command, status: result.status, err: result.err }).toEqual({ command, status: 0, err: expect.any(String) });
      // The draft holds the marker, or (the question is recognised) a suggested answer to approve or edit.
      if (command.includes(' drafts show 1')) expect(result.out).toMatch(new RegExp(`${CONSULTANT_ANSWER_MARKER.replace(/[[\]]/g, '\\$&')}|Approve suggested answer`));
      if (command.includes(' drafts edit 1')) expect(result.out).toMatch(/saved: draft 1[\s\S]*approved: draft 1, reply queued/);
    }
    const answer = await waitFor(() => smtp.messages.find((m) => m.parsed?.text?.includes(ANSWER)), { timeoutMs: 60_000, intervalMs: 200, what: 'the answer at the SMTP receiver' });
    expect(answer.parsed!.text).not.toContain(CONSULTANT_ANSWER_MARKER);
    expect(String(answer.parsed!.html)).toMatch(/^<!doctype html>/i);
    expect((await run('node bin/casedesk.js drafts show 1', env)).out).toMatch(/Draft 1 \(answer, (approved|sent)\)/);
  });
});
