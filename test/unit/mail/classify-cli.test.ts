import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ordinaryMessage } from './hostile-messages.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Run `classify` in a child process as the CLI does: TypeScript through tsx, the parse on a
 * worker thread. `entry` is bin/casedesk.js (the whole CLI) or a runner with this command only.
 */
function classify(input: Buffer, env: Record<string, string> = {}, entry = 'test/unit/mail/classify-cli-runner.mjs'): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [entry, 'classify', '--json'], {
    cwd: ROOT,
    input,
    env: { ...process.env, MAIL_FROM: 'answers@casedesk.example', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// Each run starts Node, tsx and a parse thread: seconds, more on a loaded machine.
describe('casedesk classify', { timeout: 90_000 }, () => {
  it('bin/casedesk.js classify prints kind, answerable and reasons on one line', () => {
    const run = classify(readFileSync(resolve(ROOT, 'test/fixtures/mail/bounce-of-our-reply.eml')), {}, 'bin/casedesk.js');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'bounce', answerable: false });
  });

  it('prints kind, answerable and reasons on one line', () => {
    const run = classify(readFileSync(resolve(ROOT, 'test/fixtures/mail/bounce-of-our-reply.eml')));
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'bounce', answerable: false, reasons: expect.arrayContaining(['multipart/report delivery-status']) });
  });

  it('answers a human question and recognises our own address from config', () => {
    expect(JSON.parse(classify(ordinaryMessage(1)).stdout)).toEqual({ kind: 'human', answerable: true, reasons: ['no automatic signal'] });
    const ours = Buffer.from(ordinaryMessage(1).toString().replace('From: Coder 1 <coder1@clinic.example>', 'From: CaseDesk <answers@casedesk.example>'));
    expect(JSON.parse(classify(ours).stdout)).toMatchObject({ kind: 'own-loop', answerable: false });
  });

  it('reports a message over the configured size cap as quarantined', () => {
    const run = classify(ordinaryMessage(1), { MAX_MESSAGE_BYTES: '100' });
    expect(JSON.parse(run.stdout)).toEqual({ kind: 'quarantined', answerable: false, reasons: [expect.stringMatching(/^too-large: message is \d+ bytes, over the 100-byte limit$/)] });
  });
});
