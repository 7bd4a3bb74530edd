import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../src/cases/case.entity.ts';
import { AnswerKey, answerKeys } from '../../src/drafts/answer-key.entity.ts';
import { Draft, type DraftKind, type DraftState } from '../../src/drafts/draft.entity.ts';
import { findRelatedCases, indexAnswerKeys, RELATED_CANDIDATES } from '../../src/drafts/related.ts';
import { approveDraft } from '../../src/review/review.ts';
import { loadMigrator } from '../../src/db/migrator.ts';
import { openDatabase } from '../../src/db/orm.ts';
import { createTestDatabase, emptyDatabase, TEST_DRIVERS, type TestDatabase } from '../support/db.ts';

const none = { cpt: [] as string[], hcpcs: [] as string[], icd10cm: [] as string[], icd10pcs: [] as string[], modifiers: [] as string[] };

describe.each(TEST_DRIVERS)('findRelatedCases on %s', (driver) => {
  let t: TestDatabase;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const em = t.orm.em.fork();
    let n = 100; // case message ids of their own (the approval test files a real case message)
    const add = async (name: string, codes: Partial<typeof none>, decidedAt: string, state: DraftState = 'sent', kind: DraftKind = 'answer') => {
      const c = em.create(Case, { subject: `subject ${name}`, requesterEmail: `${name}@clinic.example` });
      await em.flush();
      const d = em.create(Draft, {
        caseId: c.id, caseMessageId: ++n, kind, state, subject: 's', bodyText: 't', bodyHtml: 'h',
        codes: { ...none, ...codes }, decidedAt: new Date(decidedAt),
      });
      await em.flush();
      // Indexed as an approval indexes (even the drafts that are not approved answers: the
      // lookup must still leave them out by their state and kind).
      await indexAnswerKeys(em, d.id, d.codes);
      ids[name] = c.id;
    };
    await add('pairOld', { cpt: ['97530', '97140', '97110'], modifiers: ['59'] }, '2025-01-02T10:00:00Z');
    await add('pairNew', { cpt: ['97140'], hcpcs: [], icd10cm: ['M54.50'] }, '2025-01-05T10:00:00Z'); // one code only: no pair
    await add('sameSet', { cpt: ['97530'], icd10cm: ['M54.50'] }, '2025-01-04T10:00:00Z', 'approved');
    await add('pending', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'pending');
    await add('rejected', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'rejected');
    await add('needsInfo', { cpt: ['97530', '97140'] }, '2025-01-06T10:00:00Z', 'sent', 'needs-info');
    await add('pairHcpcs', { cpt: ['97140'], hcpcs: ['J1885'] }, '2025-01-03T10:00:00Z', 'approved');
    await add('current', { cpt: ['97530', '97140'] }, '2025-01-07T10:00:00Z');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('links past approved or sent answers citing the same procedure pair, most recent first', async () => {
    const got = await findRelatedCases(t.orm.em.fork(), ['97530', '97140', 'J1885', 'M54.50', '59'], { excludeCaseId: ids.current });
    expect(got.map((r) => r.caseId)).toEqual([ids.pairHcpcs, ids.pairOld]);
    expect(got[1]).toEqual({ caseId: ids.pairOld, caseNumber: `CD-${ids.pairOld}`, date: '2025-01-02', subject: 'subject pairOld' });
  });

  it('links a past answer with exactly the same code set', async () => {
    const got = await findRelatedCases(t.orm.em.fork(), { ...none, icd10cm: ['m54.50'], cpt: ['97530'], modifiers: ['25'] }, { excludeCaseId: ids.current });
    expect(got.map((r) => r.caseId)).toEqual([ids.sameSet]);
  });

  it('honours the limit and excludes the case itself', async () => {
    const em = t.orm.em.fork();
    expect(await findRelatedCases(em, ['97530', '97140'], { excludeCaseId: ids.pairOld })).toEqual([
      expect.objectContaining({ caseId: ids.current }),
    ]);
    const all = await findRelatedCases(em, ['97530', '97140', 'J1885'], { excludeCaseId: 0 });
    expect(all.map((r) => r.caseId)).toEqual([ids.current, ids.pairHcpcs, ids.pairOld]);
    expect(await findRelatedCases(em, ['97530', '97140', 'J1885'], { excludeCaseId: 0, limit: 1 })).toHaveLength(1);
    expect(await findRelatedCases(em, [], { excludeCaseId: 0 })).toEqual([]);
    expect(await findRelatedCases(em, ['97110'], { excludeCaseId: 0 })).toEqual([]);
    expect(em.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);
  });

  it('finds a matching answer among more recent answers than it compares (the index, not the newest rows)', async () => {
    const em = t.orm.em.fork();
    const c = em.create(Case, { subject: 'many', requesterEmail: 'many@clinic.example' });
    await em.flush();
    const rows = Array.from({ length: RELATED_CANDIDATES * 5 }, (_, i) => ({
      caseId: c.id, caseMessageId: 10_000 + i, followUpKey: '', kind: 'answer', state: 'sent', subject: 's', bodyText: 't', bodyHtml: 'h',
      codes: { ...none, cpt: ['99213'], icd10cm: ['Z23'] }, evidence: {}, versions: [], decidedAt: new Date('2025-02-01T10:00:00Z'), createdAt: new Date(), updatedAt: new Date(),
    }));
    await em.insertMany(Draft, rows as unknown as Draft[]);
    const many = await em.find(Draft, { caseId: c.id }, { fields: ['id', 'codes'] });
    await em.insertMany(AnswerKey, many.flatMap((d) => answerKeys(d.codes).map((matchKey) => ({ draftId: d.id, matchKey }))));
    // pairOld is older than every one of those answers and is still linked.
    const got = await findRelatedCases(t.orm.em.fork(), ['97530', '97110'], { excludeCaseId: 0 });
    expect(got.map((r) => r.caseId)).toEqual([ids.pairOld]);
    const same = await findRelatedCases(t.orm.em.fork(), ['Z23', '99213'], { excludeCaseId: 0 });
    expect(same.map((r) => r.caseId)).toEqual([c.id]);
    expect(await findRelatedCases(t.orm.em.fork(), ['99213'], { excludeCaseId: 0 })).toEqual([]);
  });

  it('indexes an answer when it is approved, once however often it is indexed', async () => {
    const em = t.orm.em.fork();
    const c = em.create(Case, { subject: 'late', requesterEmail: 'late@clinic.example' });
    await em.flush();
    const cm = em.create(CaseMessage, {
      caseId: c.id, direction: 'in', messageId: '<late@clinic.example>', messageIdHash: 'b'.repeat(64), fromAddress: 'late@clinic.example', subject: 'q', textNew: 'q', textFull: 'q',
    });
    await em.flush();
    const d = em.create(Draft, { caseId: c.id, caseMessageId: cm.id, kind: 'answer', state: 'pending', subject: 's', bodyText: 'An answer.', bodyHtml: 'h', codes: { ...none, cpt: ['0591T', '97535'] } });
    await em.flush();
    const lookup = () => findRelatedCases(t.orm.em.fork(), ['97535', '0591T'], { excludeCaseId: 0 });
    expect(await lookup()).toEqual([]);
    await approveDraft({ em: t.orm.em.fork(), makeMessageId: (k) => `<${k}@casedesk.test>`, textToHtml: (x) => x }, { draftId: d.id, actor: 'test' });
    expect((await lookup()).map((r) => r.caseId)).toEqual([c.id]);
    await indexAnswerKeys(t.orm.em.fork(), d.id, d.codes);
    const keys = (await t.orm.em.fork().find(AnswerKey, { draftId: d.id })).map((r) => r.matchKey).sort();
    expect(keys).toEqual(['pair:0591T+97535', expect.stringMatching(/^set:[0-9a-f]{64}$/)]);
  });
});

describe.each(TEST_DRIVERS)('the answer key index, migrated (%s)', (driver) => {
  it('indexes the answers approved or sent before it existed, and only those', async () => {
    const { db, cleanup } = await emptyDatabase(driver);
    try {
      const orm = await openDatabase(db, { migrate: false });
      try {
        const migrator = await loadMigrator(orm);
        await migrator.up({ to: 'Migration20261203182750_inbound_turn_index' });
        const conn = orm.em.getConnection();
        const draft = `insert into draft (id, case_id, case_message_id, follow_up_key, kind, state, subject, body_text, body_html, codes, evidence, versions, created_at, updated_at)
          values (?, 1, ?, '', ?, ?, 's', 't', 'h', ?, '{}', '[]', ?, ?)`;
        const now = new Date();
        await conn.execute(draft, [1, 1, 'answer', 'sent', JSON.stringify({ cpt: ['97530', '97140'], hcpcs: [], icd10cm: ['m54.50'], icd10pcs: [], modifiers: ['59'] }), now, now]);
        await conn.execute(draft, [2, 2, 'answer', 'approved', JSON.stringify(['97110', 'J1885', '25']), now, now]);
        await conn.execute(draft, [3, 3, 'answer', 'pending', JSON.stringify({ cpt: ['97530', '97140'] }), now, now]);
        await conn.execute(draft, [4, 4, 'needs-info', 'sent', JSON.stringify({ cpt: ['97530', '97140'] }), now, now]);
        await migrator.up();
        const rows = await orm.em.fork().find(AnswerKey, {}, { orderBy: { draftId: 'asc', matchKey: 'asc' } });
        expect(rows.map((r) => [r.draftId, r.matchKey])).toEqual([
          [1, 'pair:97140+97530'], [1, answerKeys(['97530', '97140', 'M54.50']).at(-1)],
          [2, 'pair:97110+J1885'], [2, answerKeys(['J1885', '97110']).at(-1)],
        ]);
        // The migrated index answers the lookup.
        expect(await findRelatedCases(orm.em.fork(), ['97140', '97530'], { excludeCaseId: 0 })).toEqual([expect.objectContaining({ caseId: 1 })]);
      } finally {
        await orm.close(true);
      }
    } finally {
      await cleanup();
    }
  });
});
