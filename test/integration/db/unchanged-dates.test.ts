import { describe, expect, it } from 'vitest';
import { Subscriber } from '../../../src/subscribers/subscriber.entity.ts';
import { createTestDatabase, TEST_DRIVERS } from '../../support/db.ts';

describe.each(TEST_DRIVERS)('datetime columns on %s', (driver) => {
  it('a loaded entity left unchanged writes nothing on flush; a real change keeps its dates exact', async () => {
    const t = await createTestDatabase(driver);
    try {
      const created = new Date('2026-03-04T05:06:07.089Z');
      const em = t.orm.em.fork();
      em.create(Subscriber, { pattern: '@dates.test', plan: 'standard', active: true, createdAt: created, updatedAt: created });
      await em.flush();

      const loadedEm = t.orm.em.fork();
      const loaded = await loadedEm.findOneOrFail(Subscriber, { pattern: '@dates.test' });
      loadedEm.getUnitOfWork().computeChangeSets();
      expect(loadedEm.getUnitOfWork().getChangeSets().map((c) => c.payload)).toEqual([]);

      loaded.plan = 'pro';
      await loadedEm.flush();
      const again = await t.orm.em.fork().findOneOrFail(Subscriber, { pattern: '@dates.test' });
      expect(again.plan).toBe('pro');
      expect(again.createdAt.toISOString()).toBe(created.toISOString());
      expect(again.updatedAt.getTime()).toBeGreaterThan(created.getTime());
    } finally {
      await t.drop();
    }
  });
});
