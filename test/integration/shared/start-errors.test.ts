import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testImapEnv } from '../../support/imap.ts';
import { freePort } from '../../support/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'casedesk-start-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `casedesk <args>` as a child process with this environment (and no .env of the checkout's). */
async function casedesk(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string; err: string }> {
  const httpPort = String(await freePort()); // never a fixed port: other test files run alongside
  return new Promise((resolve) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|IMAP_|SMTP_|DEBUG)/.test(k))) as Record<string, string>;
    const child = spawn(process.execPath, ['bin/casedesk.js', ...args], { env: { ...base, LOG_LEVEL: 'silent', HTTP_PORT: httpPort, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    child.once('exit', (status) => resolve({ status, out, err }));
  });
}

const sqlite = () => join(dir, 'ok.sqlite');
const oneLine = (err: string) => err.trim().split('\n');

describe('a service that does not answer at start is one line: setting, target, cause', () => {
  it('PostgreSQL on a closed port (and the password is not printed)', { timeout: 60_000 }, async () => {
    const r = await casedesk(['drafts', 'list'], { DATABASE_URL: 'postgres://casedesk:s3cret@127.0.0.1:1/casedesk' });
    expect(r.status).toBe(2);
    expect(oneLine(r.err)).toEqual([expect.stringMatching(/^casedesk: cannot connect: DATABASE_URL \(postgres:\/\/casedesk:\*\*\*@127\.0\.0\.1:1\/casedesk\): .*ECONNREFUSED/)]);
    expect(r.err).not.toContain('s3cret');
  });

  it('PostgreSQL with a role that does not exist; DEBUG=1 adds the stack', { timeout: 60_000 }, async () => {
    const url = 'postgres://no_such_role_cd@127.0.0.1:5432/test';
    const r = await casedesk(['drafts', 'list'], { DATABASE_URL: url });
    expect(r.status).toBe(2);
    expect(oneLine(r.err)).toEqual([expect.stringMatching(/^casedesk: cannot connect: DATABASE_URL \(postgres:\/\/no_such_role_cd@127\.0\.0\.1:5432\/test\): .*no_such_role_cd/)]);
    const debug = await casedesk(['drafts', 'list'], { DATABASE_URL: url, DEBUG: '1' });
    expect(debug.err).toMatch(/cannot connect: DATABASE_URL[\s\S]*\n\s+at /);
  });

  it('Redis, IMAP (refused login, closed port) and SMTP at `casedesk start`', { timeout: 120_000 }, async () => {
    const imap = testImapEnv('INBOX');
    const base = { DATABASE_URL: sqlite(), ...imap, SMTP_HOST: '127.0.0.1', SMTP_PORT: '1', SMTP_SECURE: 'false' };
    const redis = await casedesk(['start'], { ...base, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(oneLine(redis.err)).toEqual(['casedesk: cannot connect: REDIS_URL (redis://127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1']);
    const login = await casedesk(['start'], { ...base, IMAP_PASSWORD: 'wrong-password' });
    expect(oneLine(login.err)).toEqual([expect.stringMatching(/^casedesk: cannot connect: IMAP_USER\/IMAP_PASSWORD \(imap:\/\/.*\): /)]);
    const port = await casedesk(['ingest'], { ...base, IMAP_PORT: '1' });
    expect(oneLine(port.err)).toEqual([expect.stringMatching(/^casedesk: cannot connect: IMAP_HOST\/IMAP_PORT \(imap:\/\/.*:1\/INBOX\): .*ECONNREFUSED/)]);
    const smtp = await casedesk(['start'], base);
    expect(oneLine(smtp.err)).toEqual([expect.stringMatching(/^casedesk: cannot connect: SMTP_HOST\/SMTP_PORT \(smtp:\/\/127\.0\.0\.1:1\): .*ECONNREFUSED/)]);
    for (const r of [redis, login, port, smtp]) expect(r.status).toBe(2);
  });
});

describe('a SQLite path whose directory does not exist', () => {
  it('is refused by other commands, created by `db migrate --create`', { timeout: 60_000 }, async () => {
    const typo = join(dir, 'no-such-dir', 'casedesk.sqlite');
    const r = await casedesk(['drafts', 'list'], { DATABASE_URL: typo });
    expect(r.status).toBe(2);
    expect(r.err).toContain(`DATABASE_URL: the directory ${join(dir, 'no-such-dir')} of the SQLite file ${typo} does not exist`);
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    const created = await casedesk(['db', 'migrate', '--create'], { DATABASE_URL: typo });
    expect(created.status).toBe(0);
    expect(existsSync(typo)).toBe(true);
    expect((await casedesk(['drafts', 'list'], { DATABASE_URL: typo })).out).toBe('no drafts\n');
  });
});
