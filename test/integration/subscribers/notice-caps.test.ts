import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakePolicy, type IntakeInput, type IntakeSender } from '../../../src/cases/intake.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const plans = { standard: 50 };
const now = new Date();

describe.each(TEST_DRIVERS)('automatic notices on %s: acknowledgements, caps, spam, backscatter', (driver) => {
  let t: TestDatabase;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await addSubscriber(t.orm.em.fork(), 'verified@clinic.test', 'standard', plans);
    await addSubscriber(t.orm.em.fork(), 'plain@clinic.test', 'standard', plans);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const intake = createIntakePolicy({ renderer: createReplyRenderer(), plans, replyPromise: 'within a day', signatureName: 'CaseDesk', contact: null, limits: { domainHourly: 4, ackDailyMax: 3 } });
  /** One new question from `from`, filed as the parse stage would: the intake decision and its notices written to the outbox. */
  const ask = async (from: string, sender: IntakeSender) => {
    seq += 1;
    const input: IntakeInput = { fromAddress: from, fromName: null, subject: 'q', isNewCase: true, caseId: seq, inboundId: seq, messageId: `<m${seq}@t>`, references: [], now, sender };
    return t.orm.em.fork().transactional(async (tx) => {
      const decision = await intake(tx, input);
      for (const n of decision.notices ?? []) tx.create(Outbox, { ...n, caseId: seq, messageId: `<notice-${seq}@casedesk.test>`, autoSubmitted: true });
      return { ...decision, kinds: (decision.notices ?? []).map((n) => n.kind) };
    });
  };
  const verified: IntakeSender = { mode: 'report', verdict: 'verified', spam: false };
  const unknown: IntakeSender = { mode: 'report', verdict: 'unknown', spam: false };

  it('acknowledges every new case of a verified subscriber up to ACK_DAILY_MAX, an unverified one once a day', async () => {
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push((await ask('verified@clinic.test', verified)).kinds);
    expect(acks).toEqual([['received'], ['received'], ['received'], []]);
    expect(await t.orm.em.fork().count(Outbox, { toAddress: 'verified@clinic.test' })).toBe(3);
    expect((await ask('plain@clinic.test', unknown)).kinds).toEqual(['received']);
    const second = await ask('plain@clinic.test', unknown);
    expect(second).toMatchObject({ wantsDraft: true, kinds: [] });
  });

  it('caps notices per sender domain per hour, whatever the kind', async () => {
    // clinic.test has had 4 notices this hour (3 acks, 1 received above): the cap of 4 is reached.
    expect((await ask('verified@clinic.test', { ...verified })).kinds).toEqual([]);
    expect((await ask('someone@clinic.test', unknown)).kinds).toEqual([]);
    // Another domain is not affected: strangers there get their not-subscribed notice (one each).
    expect((await ask('a@other.test', unknown)).kinds).toEqual(['not-subscribed']);
    expect((await ask('b@other.test', unknown)).kinds).toEqual(['not-subscribed']);
  });

  it('sends nothing to mail a spam filter flagged, nor a not-subscribed notice to an unverified stranger in enforce', async () => {
    expect((await ask('c@third.test', { ...unknown, spam: true })).kinds).toEqual([]);
    expect((await ask('d@third.test', { mode: 'enforce', verdict: 'unverified', spam: false })).kinds).toEqual([]);
    expect((await ask('e@third.test', { mode: 'enforce', verdict: 'unknown', spam: false })).kinds).toEqual([]);
    expect((await ask('f@third.test', { mode: 'report', verdict: 'unverified', spam: false })).kinds).toEqual(['not-subscribed']);
  });

  it('holds an unverified subscriber in enforce: no quota, no draft, no notice', async () => {
    const held = await ask('plain@clinic.test', { mode: 'enforce', verdict: 'unverified', spam: false });
    expect(held).toMatchObject({ wantsDraft: false, subscriberId: null, caseState: 'held', holdReason: 'unverified sender', kinds: [] });
    const reported = await ask('plain@clinic.test', { mode: 'report', verdict: 'unverified', spam: false });
    expect(reported.wantsDraft).toBe(true);
    expect(reported.caseState).toBeUndefined();
  });
});
