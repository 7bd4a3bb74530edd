import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { usageReport } from '../../../src/cli/commands/subscribers.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/shared/errors.ts';
import { intakeFigures } from '../../../src/cases/notice-history.ts';
import { monthlyUsage, quotaDecision } from '../../../src/cases/quota.ts';
import { addSubscriber, findSubscriberFor, listSubscribers, monthBounds, removeSubscriber, setPlan } from '../../../src/subscribers/subscribers.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const plans = { trial: 2, standard: 50, pro: 200 };
const now = new Date('2025-01-15T12:00:00Z');

describe.each(TEST_DRIVERS)('subscribers on %s', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.drop();
  });
  const em = () => t.orm.em.fork();

  it('adds, lists, changes the plan, removes and re-adds', async () => {
    const s = await addSubscriber(em(), 'Coder@Clinic.Example', 'trial', plans);
    expect(s).toMatchObject({ pattern: 'coder@clinic.example', plan: 'trial', active: true });
    await addSubscriber(em(), '@clinic.example', 'standard', plans);
    await expect(addSubscriber(em(), 'coder@clinic.example', 'pro', plans)).rejects.toBeInstanceOf(ConflictError);
    await expect(addSubscriber(em(), 'x@y.example', 'gold', plans)).rejects.toBeInstanceOf(ValidationError);
    await expect(addSubscriber(em(), 'not-an-address', 'trial', plans)).rejects.toBeInstanceOf(ValidationError);
    expect((await listSubscribers(em())).map((x) => x.pattern)).toEqual(['@clinic.example', 'coder@clinic.example']);

    expect((await setPlan(em(), '@CLINIC.example', 'pro', plans)).plan).toBe('pro');
    await expect(setPlan(em(), '@clinic.example', 'gold', plans)).rejects.toBeInstanceOf(ValidationError);
    await expect(setPlan(em(), 'nobody@clinic.example', 'pro', plans)).rejects.toBeInstanceOf(NotFoundError);

    await removeSubscriber(em(), '@clinic.example');
    await expect(removeSubscriber(em(), '@clinic.example')).rejects.toBeInstanceOf(NotFoundError);
    expect((await listSubscribers(em())).map((x) => x.pattern)).toEqual(['coder@clinic.example']);
    expect(await listSubscribers(em(), { includeInactive: true })).toHaveLength(2);
    const again = await addSubscriber(em(), '@clinic.example', 'standard', plans);
    expect(again).toMatchObject({ active: true, plan: 'standard' });
  });

  it('finds the exact address before the domain', async () => {
    expect((await findSubscriberFor(em(), 'CODER@clinic.example'))?.pattern).toBe('coder@clinic.example');
    expect((await findSubscriberFor(em(), 'other@clinic.example'))?.pattern).toBe('@clinic.example');
    expect(await findSubscriberFor(em(), 'other@sub.clinic.example')).toBeNull();
    expect(await findSubscriberFor(em(), 'stranger@elsewhere.example')).toBeNull();
    expect(await findSubscriberFor(em(), 'garbage')).toBeNull();
  });

  it('counts cases opened this calendar month and decides the quota', async () => {
    const coder = (await findSubscriberFor(em(), 'coder@clinic.example'))!;
    const e = em();
    const open = (openedAt: Date, subscriberId: number | null = coder.id) =>
      e.create(Case, { subject: 's', requesterEmail: 'coder@clinic.example', subscriberId, openedAt });
    open(new Date('2024-12-31T23:59:59Z')); // last month
    open(new Date('2025-01-01T00:00:00Z'));
    open(new Date('2025-02-01T00:00:00Z')); // next month
    open(new Date('2025-01-10T09:00:00Z'), null); // not counted against a subscriber
    await e.flush();

    expect(await monthlyUsage(em(), coder.id, now)).toBe(1);
    const first = await quotaDecision(em(), 'coder@clinic.example', now, plans);
    expect(first).toMatchObject({ kind: 'subscriber', plan: 'trial', quota: 2, used: 1, remaining: 1, over: false });

    const e2 = em();
    e2.create(Case, { subject: 's2', requesterEmail: 'coder@clinic.example', subscriberId: coder.id, openedAt: new Date('2025-01-14T08:00:00Z') });
    await e2.flush();
    expect(await quotaDecision(em(), 'coder@clinic.example', now, plans)).toMatchObject({ used: 2, remaining: 0, over: true });
    expect(await quotaDecision(em(), 'stranger@elsewhere.example', now, plans)).toEqual({ kind: 'stranger' });
    expect(await quotaDecision(em(), 'coder@clinic.example', now, { standard: 50 })).toMatchObject({ quota: 0, over: true });
  });

  it('reports usage for the CLI', async () => {
    expect(await usageReport(em(), 'coder@clinic.example', plans, now)).toEqual({
      address: 'coder@clinic.example', pattern: 'coder@clinic.example', plan: 'trial', quota: 2, used: 2, remaining: 0, month: '2025-01',
    });
    expect(await usageReport(em(), '@clinic.example', plans, now)).toMatchObject({ pattern: '@clinic.example', used: 0, remaining: 50 });
    await expect(usageReport(em(), 'stranger@elsewhere.example', plans, now)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads the month\'s usage and the sender\'s notice history in one statement (intake figures)', async () => {
    const subscriberId = (await findSubscriberFor(em(), 'coder@clinic.example'))!.id;
    const figures = (address: string, at = now) => intakeFigures(em(), { subscriberId, address, month: monthBounds(at), now: at });
    expect(await figures('coder@clinic.example')).toEqual({ used: 2, counts: { noticesToDomainLastHour: 0, acksToSenderLast24h: 0, lastNoticeToSenderAt: null, lastRefusalToSenderAt: null } });
    const e = em();
    const row = (kind: Outbox['kind'], createdAt: Date, n: number, toAddress = 'coder@clinic.example') =>
      e.create(Outbox, { dedupeKey: `k${n}`, kind, messageId: `<m${n}@x>`, toAddress, subject: 's', text: 't', createdAt });
    row('received', new Date('2025-01-14T10:00:00Z'), 1); // 26 hours before: not in the last 24
    row('received', new Date('2025-01-14T13:00:00Z'), 6);
    row('over-quota', new Date('2025-01-15T09:00:00Z'), 2);
    row('answer', new Date('2025-01-15T11:00:00Z'), 3);
    row('received', new Date('2025-01-15T11:30:00Z'), 4, 'other@clinic.example');
    row('not-subscribed', new Date('2025-01-15T11:40:00Z'), 5, 'x@elsewhere.example');
    await e.flush();
    // now = 2025-01-15T12:00Z: the last hour holds one notice to clinic.example (the answer is no notice).
    expect(await figures('Coder@Clinic.example')).toEqual({
      used: 2,
      counts: { noticesToDomainLastHour: 1, acksToSenderLast24h: 1, lastNoticeToSenderAt: new Date('2025-01-15T09:00:00Z'), lastRefusalToSenderAt: new Date('2025-01-15T09:00:00Z') },
    });
    expect((await figures('coder@clinic.example', new Date('2025-02-01T00:00:00Z'))).used).toBe(1); // the case opened on 1 February
    expect((await figures('coder@clinic.example', new Date('2025-03-15T00:00:00Z'))).used).toBe(0);
    expect((await intakeFigures(em(), { subscriberId: null, address: '', month: monthBounds(now), now })).counts.noticesToDomainLastHour).toBe(0);
  });
});
