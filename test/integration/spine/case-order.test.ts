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
  let copyUid = 0;

  beforeAll(async () => {
    mailbox = await createTestMailbox('order');
    for (let i = 0; i < QUESTIONS; i++) {
      const padding = i < 2 ? 'Supporting notes follow.\n'.repeat(i === 0 ? 160_000 : 45_000) : '';
      const raw = rawMessage({
        From: `Coder ${i} <coder${i}@clinic${i}.test>`, To: 'answers@casedesk.test',
        Subject: `Question ${i} about modifier 25`, 'Message-ID': `<order-${driver}-${i}@clinic${i}.test>`,
      }, `Hello,\n\nCan modifier 25 go on 99213 with 20610, question ${i}?\n\n${padding}Thanks`);
      uids.push((await appendMessage(mailbox, raw)).uid);
      if (i === 0) {
        // A short copy of the first (same Message-ID): parsed long before it, it must end a
        // duplicate without opening a case first (which would use up a case number on PostgreSQL).
        const copy = rawMessage({ From: 'Coder 0 <coder0@clinic0.test>', To: 'answers@casedesk.test', Subject: 'Question 0 about modifier 25', 'Message-ID': `<order-${driver}-0@clinic0.test>` }, 'Hello,\n\nCan modifier 25 go on 99213 with 20610?\n\nThanks');
        copyUid = (await appendMessage(mailbox, copy)).uid;
      }
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
      return all.length === QUESTIONS + 1 && all.every((r) => r.state !== 'stored') ? all : null;
    }, { timeoutMs: 60_000, what: 'every question filed' });
    expect(rows.find((r) => r.uid === copyUid)?.state).toBe('duplicate');
    rows.splice(rows.findIndex((r) => r.uid === copyUid), 1);
    expect(rows.map((r) => r.uid)).toEqual(uids);
    expect(rows.map((r) => r.state)).toEqual(Array(QUESTIONS).fill('parsed'));
    const caseIds = rows.map((r) => r.caseId as number);
    // Consecutive numbers in UID order: increasing, and no number skipped.
    expect(caseIds).toEqual(caseIds.map((_, i) => caseIds[0] + i));
  });
});
