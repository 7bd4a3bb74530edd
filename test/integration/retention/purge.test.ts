import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../../src/audit/audit-chain-store.ts';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { CaseNote } from '../../../src/review/case-note.entity.ts';
import { runCasedesk } from '../../support/cli.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';

const DAY = 86_400_000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY);

/**
 * Retention on each database: RETAIN_RAW_DAYS purges raw sources past the cut-off (never one not
 * parsed yet), RETAIN_CASE_DAYS empties the content of cases closed before its cut-off and keeps
 * their codes, states, times and audit trail. Rows on both sides of each cut-off; the raw table
 * is queried to show exactly which sources are gone.
 */
describe.each(TEST_DRIVERS)('casedesk purge on %s', (driver) => {
  let t: TestDatabase;
  const ids: Record<string, number> = {};
  let uid = 0;

  async function inbound(name: string, days: number, state: InboundMessage['state'], caseId: number | null = null): Promise<number> {
    const em = t.orm.em.fork();
    const raw = Buffer.from(`Subject: ${name}\r\n\r\nsecret body of ${name}\r\n`);
    const row = em.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 1, uid: ++uid, contentHash: createHash('sha256').update(raw).digest('hex'), size: raw.length, raw, state, receivedAt: ago(days), caseId });
    await em.flush();
    return (ids[name] = row.id);
  }

  async function closedCase(name: string, days: number, state: Case['state']): Promise<number> {
    const em = t.orm.em.fork();
    const c = em.create(Case, { subject: `case ${name}`, requesterEmail: 'pat@clinic.test', state, openedAt: ago(days + 5), lastInboundAt: ago(days + 5), updatedAt: ago(days) });
    await em.flush();
    const inboundId = await inbound(`raw-of-${name}`, days + 5, 'parsed', c.id);
    const m = em.create(CaseMessage, {
      caseId: c.id, direction: 'in', inboundMessageId: inboundId, messageId: `<${name}@x>`, messageIdHash: createHash('sha256').update(name).digest('hex'),
      fromAddress: 'pat@clinic.test', subject: `question ${name}`, textNew: `text ${name}`, textFull: `full ${name}`, html: `<p>${name}</p>`,
    });
    await em.flush();
    const d = em.create(Draft, { caseId: c.id, caseMessageId: m.id, kind: 'answer', state: 'sent', subject: `Re: ${name}`, bodyText: `answer ${name}`, bodyHtml: `<p>answer ${name}</p>`, codes: { cpt: ['97530'] }, evidence: { dateOfService: { date: '2025-01-15' } } });
    em.create(Outbox, { dedupeKey: `d:${name}`, kind: 'answer', caseId: c.id, messageId: `<out-${name}@x>`, toAddress: 'pat@clinic.test', subject: `Re: ${name}`, text: `answer ${name}`, html: null, state: 'sent' });
    em.create(CaseNote, { caseId: c.id, author: 'c@casedesk.test', text: `note ${name}` });
    await em.flush();
    await appendAudit(em, { actor: 'c@casedesk.test', action: 'draft.approve', caseId: c.id, draftId: d.id, details: {} });
    return (ids[name] = c.id);
  }

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await inbound('old-parsed', 100, 'parsed');
    await inbound('old-quarantined', 95, 'quarantined');
    await inbound('old-stored', 120, 'stored');
    await inbound('recent-parsed', 80, 'parsed');
    await closedCase('closed-long-ago', 400, 'closed');
    await closedCase('closed-recently', 300, 'closed');
    await closedCase('open-long-ago', 400, 'open');
  });
  afterAll(async () => t?.drop());

  const rawNull = async () => ((await t.orm.em.getConnection().execute('select id from inbound_message where raw is null order by id')) as { id: number }[]).map((r) => Number(r.id));

  it('a dry run counts and changes nothing', async () => {
    const r = await runCasedesk(t, ['purge', '--dry-run', '--json'], { RETAIN_CASE_DAYS: '365' });
    expect(r.status, r.err).toBe(0);
    // Raw: old-parsed, old-quarantined, and the three cases' own raws (all > 90 days); not old-stored or recent-parsed.
    expect(JSON.parse(r.out)).toMatchObject({ dryRun: true, rawPurged: 5, casesPurged: 1, caseIds: [ids['closed-long-ago']] });
    expect(await rawNull()).toEqual([]);
  });

  it('purges exactly what the policy says, keeps codes, states, times and the audit trail; a second run purges nothing', async () => {
    const r = await runCasedesk(t, ['purge', '--json'], { RETAIN_CASE_DAYS: '365' });
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ dryRun: false, casesPurged: 1, caseIds: [ids['closed-long-ago']] });

    const expected = ['old-parsed', 'old-quarantined', 'raw-of-closed-long-ago', 'raw-of-closed-recently', 'raw-of-open-long-ago'].map((n) => ids[n]).sort((a, b) => a - b);
    expect(await rawNull()).toEqual(expected);
    const em = t.orm.em.fork();
    const kept = await em.find(InboundMessage, { id: { $in: [ids['old-stored'], ids['recent-parsed']] } }, { populate: ['raw'] });
    expect(kept.map((k) => k.raw?.toString())).toEqual([expect.stringContaining('secret body of old-stored'), expect.stringContaining('secret body of recent-parsed')]);

    const gone = ids['closed-long-ago'];
    const c = await em.findOneOrFail(Case, { id: gone });
    expect(c).toMatchObject({ subject: '', state: 'closed' });
    expect(c.contentPurgedAt).toBeInstanceOf(Date);
    expect(await em.findOneOrFail(CaseMessage, { caseId: gone }, { populate: ['html'] })).toMatchObject({ subject: '', textNew: '', textFull: '', html: null, fromAddress: 'pat@clinic.test' });
    expect(await em.findOneOrFail(Draft, { caseId: gone })).toMatchObject({ subject: '', bodyText: '', bodyHtml: '', evidence: {}, codes: { cpt: ['97530'] }, state: 'sent' });
    expect(await em.findOneOrFail(Outbox, { caseId: gone })).toMatchObject({ subject: '', text: '', state: 'sent' });
    expect(await em.count(CaseNote, { caseId: gone })).toBe(0);

    for (const name of ['closed-recently', 'open-long-ago']) {
      expect((await em.findOneOrFail(Case, { id: ids[name] })).subject).toBe(`case ${name}`);
      expect((await em.findOneOrFail(Draft, { caseId: ids[name] })).bodyText).toBe(`answer ${name}`);
      expect((await em.findOneOrFail(CaseNote, { caseId: ids[name] })).text).toBe(`note ${name}`);
    }
    const audit = (await t.orm.em.getConnection().execute('select action, case_id from audit_entry order by seq')) as { action: string; case_id: number }[];
    expect(audit.filter((a) => Number(a.case_id) === gone).map((a) => a.action)).toEqual(['draft.approve']);
    expect(audit.map((a) => a.action)).toContain('retention.purge');

    const again = await runCasedesk(t, ['purge', '--json'], { RETAIN_CASE_DAYS: '365' });
    expect(JSON.parse(again.out)).toMatchObject({ rawPurged: 0, casesPurged: 0 });
    expect(await rawNull()).toEqual(expected);
    expect((await verifyAuditChain(t.orm.em.fork())).ok).toBe(true);
  });
});
