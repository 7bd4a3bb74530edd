import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { AuditEntry } from '../../../src/review/audit.entity.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { createQueuePrefix, TEST_REDIS_URL } from '../../support/redis.ts';

/** `casedesk cases release` through the real CLI entry point: a held case is counted, opened and queued for a draft. */
describe.each(TEST_DRIVERS)('casedesk cases release on %s', (driver) => {
  let t: TestDatabase;
  const queue = createQueuePrefix();
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.drop();
    await queue.cleanup();
  });
  const cli = (...args: string[]) => runCasedesk(t, ['cases', 'release', ...args], { PLANS: 'standard:50', REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queue.prefix });

  it('releases a held case once, queues its draft, and refuses bad ids', async () => {
    const em = t.orm.em.fork();
    await addSubscriber(em, 'pat@clinic.test', 'standard', { standard: 50 });
    const held = em.create(Case, { subject: 'q', requesterEmail: 'pat@clinic.test', state: 'held', holdReason: 'unverified sender', unverifiedSender: true });
    await em.flush();
    const cm = em.create(CaseMessage, {
      caseId: held.id, direction: 'in', messageId: '<held@clinic.test>', messageIdHash: 'a'.repeat(64), fromAddress: 'pat@clinic.test', subject: 'q', textNew: 'Can 97530 be billed?', textFull: 'Can 97530 be billed?', senderVerdict: 'unverified',
    });
    await em.flush();

    const first = await cli(`CD-${held.id}`, '--as', 'lee', '--json');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ caseId: held.id, caseMessageIds: [cm.id], overQuota: false, already: false });
    const after = await t.orm.em.fork().findOneOrFail(Case, { id: held.id });
    expect(after).toMatchObject({ state: 'open', holdReason: null });
    expect(after.subscriberId).not.toBeNull();
    expect((await t.orm.em.fork().findOneOrFail(CaseMessage, { id: cm.id })).wantsDraft).toBe(true);
    expect(await t.orm.em.fork().count(AuditEntry, { action: 'case.release', actor: 'lee', caseId: held.id })).toBe(1);
    const drafts = new Queue('draft', { connection: { url: TEST_REDIS_URL }, prefix: queue.prefix });
    try {
      expect((await drafts.getJob(`draft-${cm.id}`))?.data).toEqual({ caseMessageId: cm.id });
    } finally {
      await drafts.close();
    }

    expect(await cli(String(held.id))).toMatchObject({ status: 0, out: `CD-${held.id} is not held: nothing changed\n` });
    expect(await cli('9999')).toMatchObject({ status: 1, err: expect.stringMatching(/case 9999 not found/) });
    expect(await cli('abc')).toMatchObject({ status: 2 });
  });
});
