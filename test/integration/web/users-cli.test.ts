import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../../src/review/user.entity.ts';
import { authenticate } from '../../../src/review/users.ts';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

/** `casedesk users …` through the real CLI entry point. */
const cli = (t: TestDatabase, ...args: string[]) => runCasedesk(t, ['users', ...args]);

describe.each(TEST_DRIVERS)('casedesk users on %s', (driver) => {
  let t: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-users-'));
  const file = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('adds a user from a password file, stores only an scrypt hash, and the password logs in', async () => {
    const r = await cli(t, 'add', 'Ana@CaseDesk.test', '--role', 'consultant', '--password-file', file('pw', 'a good long password\n'));
    expect(r).toMatchObject({ status: 0, out: 'added ana@casedesk.test (consultant)\n' });
    const row = await t.orm.em.fork().findOneOrFail(User, { email: 'ana@casedesk.test' });
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.passwordHash).not.toContain('a good long password');
    expect(await authenticate(t.orm.em.fork(), 'ana@casedesk.test', 'a good long password')).toMatchObject({ role: 'consultant' });
    expect(await authenticate(t.orm.em.fork(), 'ana@casedesk.test', 'a good long passwor')).toBeNull();
  });

  it('refuses short or empty passwords, a bad role, a duplicate', async () => {
    expect((await cli(t, 'add', 'b@casedesk.test', '--role', 'admin', '--password-file', file('short', 'short\n'))).status).toBe(2);
    expect((await cli(t, 'add', 'b@casedesk.test', '--role', 'admin', '--password-file', file('empty', '\n'))).err).toContain('empty');
    expect((await cli(t, 'add', 'b@casedesk.test', '--role', 'boss', '--password-file', file('ok', 'long enough pw\n'))).status).toBe(2);
    expect((await cli(t, 'add', 'ana@casedesk.test', '--role', 'admin', '--password-file', file('ok2', 'long enough pw\n'))).status).toBe(1);
  });

  it('lists and removes users', async () => {
    await cli(t, 'add', 'root@casedesk.test', '--role', 'admin', '--password-file', file('root', 'root password 123\n'));
    const list = JSON.parse((await cli(t, 'list', '--json')).out) as { email: string; role: string }[];
    expect(list.map((u) => [u.email, u.role])).toEqual([['ana@casedesk.test', 'consultant'], ['root@casedesk.test', 'admin']]);
    expect((await cli(t, 'remove', 'ana@casedesk.test')).out).toBe('removed ana@casedesk.test\n');
    expect((await cli(t, 'list')).out).not.toContain('ana@');
    expect(await authenticate(t.orm.em.fork(), 'ana@casedesk.test', 'a good long password')).toBeNull();
    expect((await cli(t, 'remove', 'ana@casedesk.test')).status).toBe(1);
  });
});
