import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { bootCaseDesk, type BootedCaseDesk } from '../../support/casedesk.ts';
import { createTestMailbox, deleteMailbox, testImapConfig, waitFor } from '../../support/imap.ts';
import { TEST_DRIVERS } from '../../support/db.ts';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'mail-corpus');
const AUTOMATIC_KINDS = new Set(['dsn-bounce', 'auto-reply', 'list', 'other']);
/** Labelled answerable, but both carry an upstream spam verdict (see the corpus unit test). */
const DISPUTED_YES = new Set(['mikel-mail/error_emails/empty_group_lists.eml', 'mikel-mail/plain_emails/raw_email_bad_time.eml']);

interface Row {
  path: string;
  kind: string;
  expectAnswer: boolean;
}

function manifest(): Row[] {
  return readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const f = line.split('\t');
      return { path: f[0], kind: f[5], expectAnswer: f[6] === 'yes' };
    });
}

/**
 * Every message of the real-world corpus goes through the real pipeline (Dovecot → ingest →
 * parse) and is accounted for exactly once: a case message, an ignored automatic message with
 * its kind and reasons, a duplicate of a Message-ID already in a case, or a quarantined message.
 */
describe.skipIf(!existsSync(CORPUS)).each(TEST_DRIVERS)('the mail corpus through the real pipeline on %s', (driver) => {
  let cd: BootedCaseDesk;
  let mailbox: string;
  const rows = existsSync(CORPUS) ? manifest() : [];
  const byUid = new Map<number, Row>();

  beforeAll(async () => {
    mailbox = await createTestMailbox('corpus');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: 1, roles: ['ingest', 'parse'], env: { WORKER_CONCURRENCY: '8' } });
  });
  afterAll(async () => {
    await cd?.teardown();
    if (mailbox) await deleteMailbox(mailbox);
  });

  it('accounts for each of the 708 messages exactly once, with no crash and no stall', { timeout: 300_000 }, async () => {
    const client = new ImapFlow(testImapConfig());
    await client.connect();
    const refused: string[] = [];
    try {
      for (const row of rows) {
        const result = await client.append(mailbox, readFileSync(join(CORPUS, row.path))).catch(() => false as const);
        if (result && result.uid) byUid.set(result.uid, row);
        else refused.push(row.path);
      }
    } finally {
      await client.logout();
    }
    // The IMAP server took every message: all of them reached the mailbox.
    expect(refused).toEqual([]);

    const em = () => cd.app.orm.em.fork();
    await waitFor(async () => (await em().count(InboundMessage, {})) === rows.length && (await em().count(InboundMessage, { state: 'stored' })) === 0, {
      timeoutMs: 240_000, intervalMs: 500, what: 'every corpus message ingested and parsed',
    });
    const inbound = await em().find(InboundMessage, {}, { fields: ['uid', 'state', 'kind', 'reasons', 'error'] });
    expect(inbound).toHaveLength(rows.length);
    expect(new Set(inbound.map((m) => m.uid)).size).toBe(rows.length);

    const counts: Record<string, number> = {};
    const wronglySuppressed: string[] = [];
    const automaticAnswered: string[] = [];
    const spam = { suppressed: 0, total: 0 };
    for (const m of inbound) {
      const row = byUid.get(m.uid)!;
      counts[m.state] = (counts[m.state] ?? 0) + 1;
      expect(['parsed', 'ignored', 'duplicate', 'quarantined'], row.path).toContain(m.state);
      if (m.state === 'ignored' || m.state === 'quarantined') expect(m.reasons.length + (m.error ? 1 : 0), row.path).toBeGreaterThan(0);
      if (!row.expectAnswer && AUTOMATIC_KINDS.has(row.kind) && m.state !== 'ignored') automaticAnswered.push(`${row.path} → ${m.state}`);
      // A message with no From address has nobody to answer: it is quarantined ("no-sender"), visibly.
      const noSender = m.state === 'quarantined' && m.reasons.includes('no-sender');
      if (noSender) counts['quarantined: no sender'] = (counts['quarantined: no sender'] ?? 0) + 1;
      if (row.expectAnswer && !DISPUTED_YES.has(row.path) && m.state !== 'parsed' && m.state !== 'duplicate' && !noSender) {
        wronglySuppressed.push(`${row.path} → ${m.state} ${m.kind}`);
      }
      if (!row.expectAnswer && !AUTOMATIC_KINDS.has(row.kind)) {
        spam.total += 1;
        if (m.state === 'ignored') spam.suppressed += 1;
      }
    }
    console.info(`[corpus] ${rows.length} messages: ${JSON.stringify(counts)}; spam rows suppressed ${spam.suppressed}/${spam.total}`);
    expect(automaticAnswered).toEqual([]);
    expect(wronglySuppressed).toEqual([]);
  });
});
