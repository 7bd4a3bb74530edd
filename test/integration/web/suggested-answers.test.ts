import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { loadDraftStats } from '../../../src/review/draft-stats-load.ts';
import { ReusableAnswer } from '../../../src/review/reusable-answer.entity.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { buildTestWebApp, Browser, createUser, seedCase, type WebApp } from './web-app.ts';

const ANSWER = 'Checked against the code data in force on the date of service, 2025-01-15.\n\n97140 is column 2 of 97530 (NCCI PTP 2025-Q1), modifier indicator 1.';
const TEXT = `Hello Pat Coder,\n\nThank you for your question. You wrote:\n\n> Can 97530 and 97140 be billed together?\n\nANSWER\n\n${ANSWER}\n\nWHAT WE CHECKED\n\nDate of service: 2025-01-15\n\nKind regards,\nCaseDesk\n`;
const FACTS = [{ kind: 'ncci', codes: ['97530', '97140'], edit: true, column1: '97530', column2: '97140', modifierIndicator: '1', inEffect: true }];

describe.each(TEST_DRIVERS)('suggested answers on the review page, API and admin pages on %s', (driver) => {
  let web: WebApp;
  let con: Browser;
  let boss: Browser;
  const em = () => web.db.orm.em.fork();
  const seedSuggested = async (codes = { cpt: ['97530', '97140'] }) => {
    const seeded = await seedCase(web, { bodyText: TEXT, codes });
    await em().nativeUpdate(Draft, { id: seeded.draftId }, { suggestedAnswer: ANSWER, suggestedText: TEXT, intents: ['ncci-pair'], suggestionFacts: FACTS });
    return seeded;
  };
  const csrfHeader = async (b: Browser) => (JSON.parse((await b.request({ method: 'GET', url: '/api/me', headers: { accept: 'application/json' } })).body) as { csrfToken: string }).csrfToken;

  beforeAll(async () => {
    web = await buildTestWebApp(driver);
    await createUser(web, 'con@casedesk.test');
    await createUser(web, 'boss@casedesk.test', 'admin');
    con = new Browser(web.app);
    await con.login('con@casedesk.test');
    boss = new Browser(web.app, '10.0.0.9');
    await boss.login('boss@casedesk.test');
  });
  afterAll(async () => web?.close());

  it('the case page lists the facts and reads "Approve suggested answer"; approving it unchanged is recorded and kept as a reusable answer without names', async () => {
    const { caseId, draftId } = await seedSuggested();
    const page = (await con.get(`/cases/${caseId}?draft=${draftId}`)).body;
    expect(page).toContain('<li>NCCI 97530 + 97140: column 1 97530, column 2 97140, modifier indicator 1</li>');
    expect(page).toMatch(/id="approve"[^>]*>Approve suggested answer<\/button>/);
    const shown = await con.request({ method: 'GET', url: `/api/drafts/${draftId}`, headers: { accept: 'application/json' } });
    expect(JSON.parse(shown.body)).toMatchObject({ suggested: true, suggestion: { intents: ['ncci-pair'], unchanged: true, approveAction: 'Approve suggested answer', facts: FACTS } });

    // The browser sends the untouched textarea with CRLF line ends.
    const res = await con.post(`/drafts/${draftId}/approve`, { bodyText: TEXT.replace(/\n/g, '\r\n') });
    expect(res.statusCode).toBe(303);
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d).toMatchObject({ state: 'approved', approvedUnchanged: true, editDistance: 0 });
    expect(d.approvedText).toContain(ANSWER);
    const kept = await em().findOneOrFail(ReusableAnswer, { key: 'ncci-pair:97140+97530' });
    expect(kept.body).toBe(ANSWER);
    expect(kept.body).not.toMatch(/Pat|Hello|Kind regards|billed together/);
  });

  it('the next draft on the same pair (other order) offers that answer; the API approves an edit as an edit', async () => {
    const { caseId, draftId } = await seedSuggested({ cpt: ['97140', '97530'] });
    await em().nativeUpdate(ReusableAnswer, { key: 'ncci-pair:97140+97530' }, { body: 'Bill 97140 with XU only when the services were distinct.' });
    const page = (await con.get(`/cases/${caseId}?draft=${draftId}`)).body;
    expect(page).toContain('Bill 97140 with XU only when the services were distinct.</pre>');
    expect(page).toContain('>Use this answer</button>');

    const edited = TEXT.replace(ANSWER, `${ANSWER}\n\nBill 97140 with XU only when the services were distinct.`);
    const res = await con.request({ method: 'POST', url: `/api/drafts/${draftId}/approve`, payload: { bodyText: edited }, headers: { accept: 'application/json', 'x-csrf-token': await csrfHeader(con) } });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ suggested: true, approvedUnchanged: false, action: 'Approve and send' });
    const d = await em().findOneOrFail(Draft, { id: draftId });
    expect(d.editDistance).toBeGreaterThan(0);
    expect(d.editDistance).toBeLessThan(1);
  });

  it('stats and the admin pages: figures per intent; reusable answers can be edited and retired', async () => {
    const { draftId } = await seedSuggested();
    await con.request({ method: 'POST', url: `/api/drafts/${draftId}/reject`, payload: { reason: 'wrong' }, headers: { accept: 'application/json', 'x-csrf-token': await csrfHeader(con) } });
    const stats = await loadDraftStats(em());
    expect(stats.byIntent['ncci-pair']).toMatchObject({ suggested: 3, approvedUnchanged: 1, approvedEdited: 1, rejected: 1 });
    const statsPage = (await boss.get('/admin/drafts-stats')).body;
    expect(statsPage).toMatch(/<td>ncci-pair<\/td><td>3<\/td><td>1<\/td><td>1<\/td><td>0\.\d\d<\/td><td>1<\/td>/);
    expect((await con.get('/admin/drafts-stats')).statusCode).toBe(403);

    const kept = await em().findOneOrFail(ReusableAnswer, { key: 'ncci-pair:97140+97530' });
    expect((await boss.get('/admin/answers')).body).toContain('ncci-pair:97140+97530');
    await boss.post(`/admin/answers/${kept.id}/edit`, { body: 'Hi Pat,\n\nUse XU on 97140 when distinct.\n\nKind regards,\nLee' });
    expect((await em().findOneOrFail(ReusableAnswer, { id: kept.id })).body).toBe('Use XU on 97140 when distinct.');
    await boss.post(`/admin/answers/${kept.id}/state`, { state: 'retired' });
    const next = await seedSuggested();
    expect((await con.get(`/cases/${next.caseId}?draft=${next.draftId}`)).body).not.toContain('Use this answer');
  });
});
