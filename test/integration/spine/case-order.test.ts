import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { appendMessage, createTestMailbox, deleteMailbox, waitFor } from '../../support/imap.ts';

const QUESTIONS = 12;

/**
 * Case numbers (CD-<id>) follow arrival order: twelve questions appended in one go, ingested
 * together and parsed by eight concurrent jobs, get case numbers that increase with their IMAP
 * UIDs. The earlier questions are the slow ones to parse (the first about 4 MB, the second about
 * 1 MB, which the parser pool runs on one thread while the small ones overtake them on the other),
 * so filing in parse-completion order would number them last (it failed 4 of 4 runs without the
 * filing turn, workers/filing-turn.ts).
 */
describe.each(TEST_DRIVERS)('case numbers in arrival order on %s', (driver) => {
  let cd: BootedCaseDesk;
  let mailbox: string;
  const uids: number[] = [];

  beforeAll(async () => {
    mailbox = await createTestMailbox('order');
    for (let i = 0; i < QUESTIONS; i++) {
      const padding = i < 2 ? 'Supporting notes follow.\n'.repeat(i === 0 ? 160_000 : 45_000) : '';
      const raw = rawMessage({
        From: `Coder ${i} <coder${i}@clinic${i}.test>`, To: 'answers@casedesk.test',
        Subject: `Question ${i} about modifier 25`, 'Message-ID': `<order-${driver}-${i}@clinic${i}.test>`,
      }, `Hello,\n\nCan modifier 25 go on 99213 with 20610, question ${i}?\n\n${padding}Thanks`);
      uids.push((await appendMessage(mailbox, raw)).uid);
    }
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: 1, roles: ['ingest', 'parse'], env: { WORKER_CONCURRENCY: '8' } });
  });
  afterAll(async () => {
    await cd?.teardown();
    await deleteMailbox(mailbox);
  });

  it('gives the questions case numbers in UID order, without gaps', async () => {
    const rows = await waitFor(async () => {
      const all = await cd.app.orm.em.fork().find(InboundMessage, { mailbox }, { orderBy: { uid: 'asc' }, fields: ['uid', 'state', 'caseId'] });
      return all.length === QUESTIONS && all.every((r) => r.state !== 'stored') ? all : null;
    }, { timeoutMs: 60_000, what: 'every question filed' });
    expect(rows.map((r) => r.uid)).toEqual(uids);
    expect(rows.map((r) => r.state)).toEqual(Array(QUESTIONS).fill('parsed'));
    const caseIds = rows.map((r) => r.caseId as number);
    // Consecutive numbers in UID order: increasing, and no number skipped.
    expect(caseIds).toEqual(caseIds.map((_, i) => caseIds[0] + i));
  });
});
