/**
 * `npm run bench:sweep`: the start-up sweep (workers/sweep.ts) against 100,000 historical cases.
 * For each driver (`--driver sqlite|postgresql`, default both; PostgreSQL at TEST_PG_URL) a fresh
 * migrated database gets, by bulk SQL: N answered cases (one question each, wanting a draft, with
 * its sent draft and its reply as an outbound case message and a `sent` outbox row), plus a few
 * unfinished rows (questions without a draft, `queued` outbox rows, `stored` inbound rows). Then
 * it times `sweepUnfinished` as a start-up runs it (the enqueuer only counts), median and max of 5
 * runs after a warm-up, wall-clock ms; and, for comparison, the former sweep's draft query (load
 * every question that ever wanted a draft, then every draft of those) on the same data.
 *   npm run bench:sweep -- [--cases 100000] [--driver postgresql]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CaseMessage } from '../src/cases/case.entity.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import type { EntityManager } from '../src/shared/db.ts';
import type { Enqueuer } from '../src/shared/queues.ts';
import { createTestDatabase, type TestDriver } from '../test/support/db.ts';
import { sweepUnfinished } from '../workers/sweep.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, driver: { type: 'string' } } });
const CASES = Number(values.cases);
const UNFINISHED = 25;
const drivers: TestDriver[] = values.driver ? [values.driver as TestDriver] : ['sqlite', 'postgresql'];

/** Bulk rows by one recursive series per table (both drivers understand it). */
function seedSql(driver: TestDriver, n: number): string[] {
  const ts = driver === 'postgresql' ? 'now()' : String(Date.now());
  const pad = (e: string) => (driver === 'postgresql' ? `lpad((${e})::text, 64, '0')` : `printf('%064d', ${e})`);
  const series = `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${n})`;
  return [
    `insert into cases (subject, requester_email, state, opened_at, last_inbound_at, updated_at) ${series} select 'question ' || n, 'coder' || (n % 500) || '@clinic.test', 'answered', ${ts}, ${ts}, ${ts} from g`,
    `insert into outbox (dedupe_key, kind, case_id, message_id, to_address, subject, text, "references", auto_submitted, state, attempts, created_at, updated_at)
       select 'draft:' || id, 'answer', id, '<cd.' || id || '.bench@casedesk.test>', requester_email, 'Re', 'answer', '[]', false, 'sent', 1, ${ts}, ${ts} from cases`,
    `insert into case_message (case_id, direction, message_id, message_id_hash, "references", from_address, to_addresses, subject, text_new, text_full, wants_draft, sent_at, created_at)
       select id, 'in', '<q' || id || '@clinic.test>', ${pad('id')}, '[]', requester_email, '[]', 'q', 'x', 'x', true, ${ts}, ${ts} from cases`,
    `insert into case_message (case_id, direction, outbox_id, message_id, message_id_hash, "references", from_address, to_addresses, subject, text_new, text_full, wants_draft, sent_at, created_at)
       select case_id, 'out', id, message_id, ${pad(`id + ${n * 2}`)}, '[]', 'answers@casedesk.test', '[]', 'Re', 'a', 'a', false, ${ts}, ${ts} from outbox`,
    `insert into draft (case_id, case_message_id, kind, state, subject, body_text, body_html, codes, evidence, versions, created_at, updated_at)
       select case_id, id, 'answer', 'sent', 'Re', 'a', 'a', '{}', '{}', '[]', ${ts}, ${ts} from case_message where direction = 'in' and id > ${UNFINISHED}`,
    `update outbox set state = 'queued' where id <= ${UNFINISHED}`,
  ];
}

/** The sweep's draft query before issue 14: every question that ever wanted a draft, then their drafts. */
async function formerDraftQuery(em: EntityManager): Promise<number> {
  const wanting = await em.find(CaseMessage, { direction: 'in', wantsDraft: true }, { fields: ['id'], orderBy: { id: 'asc' } });
  const drafted = new Set((await em.find(Draft, { caseMessageId: { $in: wanting.map((w) => w.id) } }, { fields: ['caseMessageId'] })).map((d) => d.caseMessageId));
  return wanting.filter((w) => !drafted.has(w.id)).length;
}

async function timed(fn: () => Promise<unknown>, runs = 5): Promise<{ median: number; max: number }> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, max: samples[runs - 1]! };
}

async function benchDriver(driver: TestDriver): Promise<void> {
  const db = await createTestDatabase(driver);
  try {
    const t0 = performance.now();
    const conn = db.orm.em.getConnection();
    for (const sql of seedSql(driver, CASES)) await conn.execute(sql);
    if (driver === 'postgresql') await conn.execute('analyze');
    const seeded = ((performance.now() - t0) / 1000).toFixed(1);
    const counts = { parse: 0, scan: 0, draft: 0, send: 0 };
    const enqueuer: Enqueuer = { enqueueParse: async () => void counts.parse++, enqueueParseMany: async (ids) => void (counts.parse += ids.length), enqueueDraft: async () => void counts.draft++, enqueueSend: async () => void counts.send++, enqueueScan: async () => void counts.scan++ };
    let last = { parse: 0, draft: 0, send: 0 };
    const sweep = await timed(async () => (last = await sweepUnfinished(db.orm.em.fork(), enqueuer)));
    const former = await timed(() => formerDraftQuery(db.orm.em.fork()), 3);
    const f = (x: number) => x.toFixed(1);
    console.log(`bench:sweep driver=${driver} cases=${CASES} seeded=${seeded}s found draft=${last.draft} send=${last.send} parse=${last.parse} sweep median=${f(sweep.median)}ms max=${f(sweep.max)}ms (target < 1000 ms) former-draft-query median=${f(former.median)}ms load=${loadavg()[0]!.toFixed(1)}`);
  } finally {
    await db.drop();
  }
}

for (const driver of drivers) await benchDriver(driver);
