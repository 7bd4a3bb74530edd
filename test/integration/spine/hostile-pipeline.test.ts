import { spawnSync } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { createTestMailbox, deleteMailbox, testImapConfig, waitFor } from '../../support/imap.ts';
import { dataKeyEnv, TEST_DRIVERS } from '../../support/db.ts';
import {
  bombMessage, hugeHeaderMessage, invalidEncodingsMessage, manyPartsMessage, nestedMessage, nulMessage, ordinaryMessage, singleLineMessage,
} from '../../unit/mail/hostile-messages.ts';

/**
 * Hostile messages through the real pipeline: each is quarantined with a reason or parsed within
 * the limits, ordinary questions sent after them are not held up, and a quarantined message can
 * be listed and retried from the CLI.
 */
describe.each(TEST_DRIVERS)('hostile messages through Dovecot → ingest → parse on %s', (driver) => {
  let cd: BootedCaseDesk;
  let mailbox: string;

  beforeAll(async () => {
    mailbox = await createTestMailbox('hostile');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: 1, roles: ['ingest', 'parse'], env: { PARSE_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    await cd?.teardown();
    if (mailbox) await deleteMailbox(mailbox);
  });

  it('quarantines or survives each, keeps ordinary mail flowing, and lists and retries from the CLI', { timeout: 240_000 }, async () => {
    const hostile: Array<[string, Buffer, 'quarantined' | 'parsed']> = [
      ['nested 1,000 deep', nestedMessage(1_000), 'quarantined'],
      ['100,000 parts', manyPartsMessage(100_000), 'quarantined'],
      ['30 MB single line', singleLineMessage(30 * 1024 * 1024), 'quarantined'],
      ['5 MB header', hugeHeaderMessage(5 * 1024 * 1024), 'quarantined'],
      ['NUL bytes', nulMessage(), 'parsed'],
      ['invalid encodings', invalidEncodingsMessage(), 'parsed'],
      ['zip-bomb-like base64', bombMessage(1024, 4), 'parsed'],
    ];
    const client = new ImapFlow(testImapConfig());
    await client.connect();
    const uids = new Map<string, number>();
    try {
      for (const [name, raw] of hostile) {
        const r = await client.append(mailbox, raw);
        uids.set(name, r ? r.uid! : -1);
      }
      for (let i = 0; i < 5; i++) {
        const r = await client.append(mailbox, ordinaryMessage(i));
        uids.set(`ordinary ${i}`, r ? r.uid! : -1);
      }
    } finally {
      await client.logout();
    }
    const em = () => cd.app.orm.em.fork();
    const started = Date.now();
    const settled = async (uid: number) => {
      const row = await em().findOne(InboundMessage, { uid }, { fields: ['id', 'uid', 'state', 'reasons', 'error', 'updatedAt'] });
      return row && row.state !== 'stored' ? row : null;
    };
    for (let i = 0; i < 5; i++) await waitFor(() => settled(uids.get(`ordinary ${i}`)!), { timeoutMs: 120_000, what: `ordinary ${i}` });
    const ordinaryDone = Date.now() - started;
    for (const [name, , expected] of hostile) {
      const row = await waitFor(() => settled(uids.get(name)!), { timeoutMs: 120_000, what: name });
      expect(row.state, name).toEqual(expected === 'parsed' ? expect.stringMatching(/parsed|duplicate|ignored/) : 'quarantined');
      if (row.state === 'quarantined') expect(row.error, name).toMatch(/limit|deep|parts|header|bytes/i);
    }
    console.info(`[hostile] ordinary questions all parsed ${ordinaryDone} ms after the appends; hostile ones settled in ${Date.now() - started} ms`);

    // Visible and retryable from the CLI.
    const env = { ...process.env, DATABASE_URL: cd.config.database.driver === 'sqlite' ? cd.config.database.path : cd.config.database.url, REDIS_URL: cd.config.env.REDIS_URL, QUEUE_PREFIX: cd.config.env.QUEUE_PREFIX, LOG_LEVEL: 'silent', ...dataKeyEnv(cd.config.database) };
    const list = spawnSync(process.execPath, ['bin/casedesk.js', 'messages', 'list', '--state', 'quarantined', '--json'], { env, encoding: 'utf8' });
    expect(list.status, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ id: number; state: string; reason: string }>;
    expect(listed.map((m) => m.state)).toEqual(['quarantined', 'quarantined', 'quarantined', 'quarantined']);
    const deep = listed.find((m) => /deep/i.test(m.reason))!;
    const retry = spawnSync(process.execPath, ['bin/casedesk.js', 'messages', 'retry', String(deep.id)], { env, encoding: 'utf8' });
    expect(retry.status, retry.stderr).toBe(0);
    // The retry runs through the parse worker again and, the limits being the same, ends quarantined again.
    await waitFor(async () => {
      const row = await em().findOne(InboundMessage, { id: deep.id });
      return row && row.state === 'quarantined' && row.updatedAt.getTime() > Date.now() - 60_000 ? row : null;
    }, { timeoutMs: 60_000, what: 'retried message settled' });
  });
});
