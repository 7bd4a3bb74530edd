import { describe, expect, it } from 'vitest';
import { Case } from '../../../src/cases/case.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { isUniqueViolation } from '../../../src/shared/db.ts';
import { createTestDatabase, TEST_DRIVERS } from '../../support/db.ts';

describe.each(TEST_DRIVERS)('database on %s', (driver) => {
  it('stores a case and keeps (mailbox, UIDVALIDITY, UID) unique', async () => {
    const t = await createTestDatabase(driver);
    try {
      const em = t.orm.em.fork();
      const c = em.create(Case, { subject: 's', requesterEmail: 'a@b.test' });
      await em.flush();
      expect(c.id).toBeGreaterThan(0);
      const mk = (uid: number) =>
        em.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 4294967295, uid, contentHash: 'h'.repeat(64), size: 1, raw: Buffer.from('x') });
      mk(1);
      await em.flush();
      const em2 = t.orm.em.fork();
      em2.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 4294967295, uid: 1, contentHash: 'h'.repeat(64), size: 1, raw: Buffer.from('x') });
      const err = await em2.flush().catch((e: unknown) => e);
      expect(isUniqueViolation(err)).toBe(true);
      const got = await t.orm.em.fork().findOneOrFail(InboundMessage, { uid: 1 });
      expect(got.uidValidity).toBe(4294967295);
    } finally {
      await t.drop();
    }
  });
});
