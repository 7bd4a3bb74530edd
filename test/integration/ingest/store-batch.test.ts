import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from '../../../src/crypto/columns.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { storeFetchedBatch } from '../../../src/ingest/store-message.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const message = (n: number, body = `question ${n}`) => ({ uid: n, source: Buffer.from(`Message-ID: <m${n}@batch.test>\r\nSubject: q ${n}\r\n\r\n${body}\r\n`) });

describe.each(TEST_DRIVERS)('ingest stores a fetched batch on %s', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('stores new messages in UID order, recognises the ones already stored, and a resync\'s same bytes', async () => {
    const cursor = { mailbox: 'INBOX', uidValidity: 7 };
    // 2 MB: over the bytes of one multi-row insert, so it is inserted on its own between the others.
    const big = message(3, 'x'.repeat(2_000_000));
    const first = await storeFetchedBatch(t.orm.em.fork(), cursor, [message(1), message(2), big, message(4)]);
    expect(first.map((r) => r.uid)).toEqual([1, 2, 3, 4]);
    expect(first.map((r) => r.outcome.kind)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const ids = first.map((r) => (r.outcome as { inboundId: number }).inboundId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const rows = await t.orm.em.fork().find(InboundMessage, { id: { $in: ids } }, { populate: ['raw'], orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.uid, r.state, r.messageId, r.size])).toEqual([
      [1, 'stored', '<m1@batch.test>', message(1).source.length], [2, 'stored', '<m2@batch.test>', message(2).source.length],
      [3, 'stored', '<m3@batch.test>', big.source.length], [4, 'stored', '<m4@batch.test>', message(4).source.length],
    ]);
    expect(rows[2].raw?.equals(big.source)).toBe(true);
    // Encrypted at rest (tests run with a data key): the stored bytes are not the message's.
    const [raw] = await runSql<{ raw: Buffer | Uint8Array }>(t.orm.em.fork(), 'select raw from inbound_message where id = ?', [ids[0]]);
    expect(Buffer.from(raw.raw).includes(Buffer.from('question 1'))).toBe(false);

    // The same batch again (a crash before the cursor moved) plus one new message.
    await t.orm.em.fork().nativeUpdate(InboundMessage, { id: ids[1] }, { state: 'parsed' });
    const again = await storeFetchedBatch(t.orm.em.fork(), cursor, [message(1), message(2), message(5)]);
    expect(again.map((r) => r.outcome)).toEqual([
      { kind: 'existing', inboundId: ids[0], needsParse: true },
      { kind: 'existing', inboundId: ids[1], needsParse: false },
      { kind: 'stored', inboundId: expect.any(Number) },
    ]);

    // UIDVALIDITY changed: the same bytes under new UIDs are the rows already stored, not new ones.
    const resync = await storeFetchedBatch(t.orm.em.fork(), { mailbox: 'INBOX', uidValidity: 8 }, [{ ...message(1), uid: 11 }, { ...message(2), uid: 12 }, message(6)]);
    expect(resync.map((r) => r.outcome)).toEqual([
      { kind: 'resync-duplicate', inboundId: ids[0], needsParse: true },
      { kind: 'resync-duplicate', inboundId: ids[1], needsParse: false },
      { kind: 'stored', inboundId: expect.any(Number) },
    ]);
    expect(await t.orm.em.fork().count(InboundMessage, {})).toBe(6);
  });

  it('two ingest processes storing the same batch at once store each message once and agree on its row', async () => {
    const cursor = { mailbox: 'Race', uidValidity: 3 };
    const batch = [message(21), message(22), message(23)];
    // Both read "nothing stored yet", then both insert: the second insert meets the first's rows.
    const [a, b] = await Promise.all([storeFetchedBatch(t.orm.em.fork(), cursor, batch), storeFetchedBatch(t.orm.em.fork(), cursor, batch)]);
    const ids = (r: typeof a) => r.map((x) => (x.outcome as { inboundId: number }).inboundId);
    expect(ids(a)).toEqual(ids(b));
    expect([...a, ...b].map((x) => x.outcome.kind).sort()).toEqual(['existing', 'existing', 'existing', 'stored', 'stored', 'stored']);
    expect(await t.orm.em.fork().count(InboundMessage, { mailbox: 'Race' })).toBe(3);
  });
});
