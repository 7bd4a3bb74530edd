import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { fileInbound, type FileDeps } from '../../../src/cases/file-inbound.ts';
import { createIntakePolicy } from '../../../src/cases/intake.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { readBounce } from '../../../src/mail/bounce.ts';
import { classifyMessage } from '../../../src/mail/classify.ts';
import { extractNewText } from '../../../src/mail/new-text.ts';
import { ParsePool } from '../../../src/mail/safe-parse.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { makeMessageId } from '../../../src/shared/message-id.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { rawMessage } from '../../support/casedesk.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const PLANS = { trial: 3 };
const LIMITS = { maxBytes: 1_000_000, timeoutMs: 10_000, maxDepth: 20, maxParts: 200 };

describe.each(TEST_DRIVERS)('intake decisions under concurrency on %s', (driver) => {
  let t: TestDatabase;
  let pool: ParsePool;
  let uid = 0;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    pool = new ParsePool({ threads: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await t?.drop();
  });

  const deps = (): Omit<FileDeps, 'em'> => ({
    log: silentLogger,
    parse: (raw) => pool.parse(raw, LIMITS),
    classify: (msg) => classifyMessage(msg, { ownDomains: ['casedesk.test'], ownAddresses: ['answers@casedesk.test'] }),
    readBounce,
    newText: extractNewText,
    ownDomain: 'casedesk.test',
    dueHours: 24,
    makeMessageId: (key, caseId) => makeMessageId(key, 'casedesk.test', caseId),
    intake: createIntakePolicy({ renderer: createReplyRenderer(), plans: PLANS, replyPromise: 'within a day', signatureName: 'CaseDesk', contact: null }),
  });

  /** Stored inbound rows, as ingest writes them, for `count` new questions from `from`. */
  const store = async (from: string, count: number, extra: (i: number) => Record<string, string> = () => ({})): Promise<number[]> => {
    const em = t.orm.em.fork();
    const rows = Array.from({ length: count }, (_, i) => {
      const raw = Buffer.from(rawMessage({ From: from, To: 'answers@casedesk.test', Subject: `Question ${i}`, 'Message-ID': `<race-${++uid}@clinic.test>`, ...extra(i) }, `Is 99214 billable? (${i})`));
      return em.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 1, uid, contentHash: createHash('sha256').update(raw).digest('hex'), size: raw.length, raw });
    });
    await em.flush();
    return rows.map((r) => r.id);
  };
  const fileAll = (ids: number[]) => Promise.all(ids.map((inboundId) => fileInbound({ ...deps(), em: t.orm.em.fork() }, { inboundId })));

  it('20 concurrent first questions from one subscriber at quota − 1: one counted case, one notice', async () => {
    const em = t.orm.em.fork();
    const sub = await addSubscriber(em, 'busy@clinic.test', 'trial', PLANS);
    for (let i = 0; i < PLANS.trial - 1; i++) em.create(Case, { subject: `earlier ${i}`, requesterEmail: 'busy@clinic.test', subscriberId: sub.id });
    await em.flush();

    const results = await fileAll(await store('Busy Coder <busy@clinic.test>', 20));
    expect(results.every((r) => r.outcome === 'case-message')).toBe(true);

    const check = t.orm.em.fork();
    expect(await check.count(Case, { subscriberId: sub.id })).toBe(PLANS.trial);
    const notices = await check.find(Outbox, { toAddress: 'busy@clinic.test' }, { orderBy: { id: 'asc' } });
    // The admitted question gets its `received`; the 19 refused ones are recorded, closed and
    // uncounted, and share exactly one `over-quota` notice (one per sender per 24 hours, issue 13:
    // acknowledgements no longer use up that allowance).
    expect(notices.map((o) => o.kind).sort()).toEqual(['over-quota', 'received']);
    expect(await check.count(Case, { requesterEmail: 'busy@clinic.test', subscriberId: null, state: 'closed' })).toBe(19);
    expect(await check.count(InboundMessage, { state: 'parsed' })).toBe(20);
  });

  it('over quota from the start: 20 concurrent questions, no counted case, exactly one over-quota notice', async () => {
    const em = t.orm.em.fork();
    const sub = await addSubscriber(em, 'full@clinic.test', 'trial', PLANS);
    for (let i = 0; i < PLANS.trial; i++) em.create(Case, { subject: `earlier ${i}`, requesterEmail: 'full@clinic.test', subscriberId: sub.id });
    await em.flush();

    await fileAll(await store('full@clinic.test', 20));
    const check = t.orm.em.fork();
    expect(await check.count(Case, { subscriberId: sub.id })).toBe(PLANS.trial);
    expect((await check.find(Outbox, { toAddress: 'full@clinic.test' })).map((o) => o.kind)).toEqual(['over-quota']);
  });

  it('the same stored message filed twice at once ends parsed once, never its own duplicate', async () => {
    const [id] = await store('twice@elsewhere.test', 1);
    const results = await fileAll([id!, id!, id!]);
    const row = await t.orm.em.fork().findOneOrFail(InboundMessage, { id: id! });
    expect(row.state).toBe('parsed');
    expect(results.every((r) => r.outcome === 'case-message')).toBe(true);
    expect(await t.orm.em.fork().count(Case, { requesterEmail: 'twice@elsewhere.test' })).toBe(1);
  });

  it('a display name longer than its column is cut, not quarantined', async () => {
    const [id] = await store(`"${'N'.repeat(1000)}" <longname@elsewhere.test>`, 1);
    const [result] = await fileAll([id!]);
    expect(result!.outcome).toBe('case-message');
    const caseRow = await t.orm.em.fork().findOneOrFail(Case, { requesterEmail: 'longname@elsewhere.test' });
    expect(caseRow.requesterName).toHaveLength(320);
  });
});
