import type { ChaosDb } from './db.ts';
import type { DeliveryRecord } from './load.ts';
import type { Delivery, Subscriber } from './mail.ts';
import type { SmtpSink } from './smtp-sink.ts';

/** One broken promise, with ids only (delivery numbers, row ids), never content. */
export interface Violation {
  kind: string;
  ids: string;
}

export interface Figures {
  [key: string]: number | string;
}

interface InboundRow {
  id: number;
  state: string;
  kind: string | null;
  reasons: string[];
  case_id: number | null;
  case_message_id: number | null;
  message_id: string | null;
  head: string;
}

const DAY_MS = 24 * 3_600_000;

/**
 * Every row of inbound_message by the X-Chaos-Delivery number in its raw header block; rows
 * without one are our own sent copies (their Message-ID is an outbox row's) or strays.
 */
async function inboundByDelivery(db: ChaosDb): Promise<{ byN: Map<number, InboundRow[]>; copies: InboundRow[]; strays: InboundRow[] }> {
  const rows = await db.rows<InboundRow>(`select id, state, kind, reasons, case_id, case_message_id, message_id, encode(substring(raw from 1 for 3000), 'escape') as head from inbound_message order by id`);
  const outboxIds = new Set((await db.rows<{ id: string }>(`select lower(message_id) as id from outbox`)).map((r) => r.id));
  const byN = new Map<number, InboundRow[]>();
  const copies: InboundRow[] = [];
  const strays: InboundRow[] = [];
  for (const r of rows) {
    const n = Number(/X-Chaos-Delivery: (\d+)/.exec(r.head)?.[1] ?? NaN);
    if (!Number.isNaN(n)) byN.set(n, [...(byN.get(n) ?? []), r]);
    else if (r.message_id && outboxIds.has(r.message_id.toLowerCase())) copies.push(r);
    else strays.push(r);
  }
  return { byN, copies, strays };
}

const EXPECTED_STATE: Record<Delivery['kind'], string> = {
  question: 'parsed', stranger: 'parsed', 'follow-up': 'parsed', duplicate: 'duplicate', automatic: 'ignored', 'no-sender': 'quarantined',
};

/** Each delivery exactly once, in the state its kind calls for; follow-ups in their parent's case. */
export async function checkMessages(db: ChaosDb, plan: Delivery[], records: Map<number, DeliveryRecord>, out: Violation[], figures: Figures): Promise<void> {
  const { byN, strays } = await inboundByDelivery(db);
  const add = (kind: string, ids: Array<number | string>) => ids.length > 0 && out.push({ kind, ids: ids.join(',') });
  const lost: number[] = [], doubled: number[] = [], stuck: number[] = [], noReason: number[] = [];
  const wrong = new Map<string, number[]>();
  const notThreaded: number[] = [];
  const delivered = plan.filter((d) => records.get(d.n)?.deliveredAt);
  const groups = new Map<string, Delivery[]>();
  for (const d of delivered) if (d.kind === 'question' || d.kind === 'duplicate') groups.set(d.messageId, [...(groups.get(d.messageId) ?? []), d]);
  for (const d of delivered) {
    const rows = byN.get(d.n) ?? [];
    if (rows.length === 0) lost.push(d.n);
    if (rows.length > 1) doubled.push(d.n);
    const row = rows[0];
    if (!row) continue;
    if (row.state === 'stored') stuck.push(d.n);
    if (row.state === 'quarantined' && (!row.reasons || row.reasons.length === 0)) noReason.push(d.n);
    const group = groups.get(d.messageId);
    const expected = group && group.length > 1 ? null : EXPECTED_STATE[d.kind];
    if (expected && row.state !== expected && row.state !== 'stored') {
      const key = `${d.kind}${d.longName ? '(long display name)' : ''}: expected ${expected}, got ${row.state}${row.reasons?.length ? `/${row.reasons[0]}` : ''}`;
      wrong.set(key, [...(wrong.get(key) ?? []), d.n]);
    }
    if (d.kind === 'follow-up' && row.state === 'parsed') {
      const parentCase = byN.get(d.parent!)?.[0]?.case_id;
      if (parentCase && row.case_id !== parentCase) notThreaded.push(d.n);
    }
  }
  for (const [, group] of groups) {
    if (group.length < 2) continue;
    const states = group.map((d) => byN.get(d.n)?.[0]?.state);
    if (states.filter((s) => s === 'parsed').length !== 1 || states.filter((s) => s === 'duplicate').length !== group.length - 1) {
      add('duplicate group not settled as one case message + duplicates', group.map((d) => d.n));
    }
  }
  add('lost (delivered, never stored)', lost);
  add('doubled (stored twice)', doubled);
  add('stuck in stored', stuck);
  add('quarantined without a reason', noReason);
  for (const [k, ids] of wrong) add(`wrong outcome ${k}`, ids);
  add('follow-up not in its parent case', notThreaded);
  add('rows without a delivery header (neither a delivery nor a sent copy)', strays.map((r) => `inbound:${r.id}`));
  const all = [...byN.values()].flat();
  const count = (s: string) => all.filter((r) => r.state === s).length;
  figures.messages = delivered.length;
  figures.parsed = count('parsed');
  figures.ignored = count('ignored');
  figures.duplicate = count('duplicate');
  figures.quarantined = count('quarantined');
  figures.undelivered = plan.length - delivered.length;
  if (plan.length > delivered.length) add('not delivered by the harness (LMTP gave up)', plan.filter((d) => !records.get(d.n)?.deliveredAt).map((d) => d.n));
}

/**
 * The service mailbox's copies of our own mail (SENT_COPY=bcc, delivered by the receiver over
 * LMTP): each copy the receiver delivered is stored exactly once and recorded `ignored` as
 * `own-copy` — never a case message, a question or a case of its own.
 */
export async function checkCopies(db: ChaosDb, sink: SmtpSink, serviceAddress: string, out: Violation[], figures: Figures): Promise<void> {
  const { copies } = await inboundByDelivery(db);
  const add = (kind: string, ids: Array<number | string>) => ids.length > 0 && out.push({ kind, ids: ids.join(',') });
  const byId = new Map<string, InboundRow[]>();
  for (const r of copies) byId.set(r.message_id!.toLowerCase(), [...(byId.get(r.message_id!.toLowerCase()) ?? []), r]);
  const intoCase = copies.filter((r) => r.state === 'parsed' || r.state === 'duplicate' || r.case_message_id !== null);
  add('sent copy became a case message or question', intoCase.map((r) => `inbound:${r.id}(${r.state})`));
  const wrong = copies.filter((r) => !intoCase.includes(r) && (r.state !== 'ignored' || r.kind !== 'own-copy'));
  add('sent copy not recorded as an ignored own-copy', wrong.map((r) => `inbound:${r.id}(${r.state}/${r.kind})`));
  const selfCases = await db.rows<{ id: number }>(`select id from cases where lower(requester_email) = lower($1)`, [serviceAddress]);
  add('case opened for the service mailbox itself (a copy taken for a question)', selfCases.map((r) => `case:${r.id}`));
  const c = sink.copies();
  const delivered = new Map<string, number>();
  for (const id of c.deliveredIds) delivered.set(id, (delivered.get(id) ?? 0) + 1);
  add('sent copy delivered into the mailbox but never ingested', [...delivered.keys()].filter((id) => !byId.has(id)));
  add('sent copy stored more often than delivered', [...byId].filter(([id, rows]) => rows.length > (delivered.get(id) ?? 0)).map(([id, rows]) => `${id}x${rows.length}`));
  figures.copiesQueued = c.queued;
  figures.copiesDelivered = c.delivered;
  figures.copiesUndeliverable = c.undeliverable;
  figures.copiesRetried = c.retries;
  figures.copiesStored = copies.length;
  figures.copiesConfirmed = copies.filter((r) => (r.reasons ?? []).includes('confirmed the send')).length;
}

/** One draft per question that wants one, none for the rest; quota never exceeded nor undercounted. */
export async function checkCases(db: ChaosDb, subs: Subscriber[], plan: Delivery[], out: Violation[], figures: Figures): Promise<void> {
  const missing = await db.rows<{ id: number }>(`select m.id from case_message m where m.direction = 'in' and m.wants_draft and not exists (select 1 from draft d where d.case_message_id = m.id) order by m.id`);
  if (missing.length) out.push({ kind: 'question without a draft', ids: missing.map((r) => `cm:${r.id}`).join(',') });
  const extra = await db.rows<{ id: number }>(`select d.id from draft d join case_message m on m.id = d.case_message_id where not m.wants_draft or m.direction <> 'in'`);
  if (extra.length) out.push({ kind: 'draft for a message that wants none', ids: extra.map((r) => `draft:${r.id}`).join(',') });
  const wrongWants = await db.rows<{ id: number }>(`select m.id from case_message m join cases c on c.id = m.case_id where m.direction = 'in' and m.wants_draft <> (c.subscriber_id is not null)`);
  if (wrongWants.length) out.push({ kind: 'wants_draft disagrees with the case subscriber', ids: wrongWants.map((r) => `cm:${r.id}`).join(',') });

  const counted = await db.rows<{ pattern: string; id: number; n: string; cases: number[] }>(`
    select s.pattern, s.id, count(c.id) as n, coalesce(array_agg(c.id order by c.id) filter (where c.id is not null), '{}') as cases
      from subscriber s left join cases c on c.subscriber_id = s.id
       and c.opened_at >= date_trunc('month', now() at time zone 'utc') group by s.id, s.pattern`);
  const parsedQuestions = await db.rows<{ message_id: string }>(`select message_id from inbound_message where state = 'parsed' and kind = 'human'`);
  const parsedIds = new Set(parsedQuestions.map((r) => r.message_id));
  let over = 0;
  for (const row of counted) {
    const sub = subs.find((s) => s.pattern === row.pattern);
    if (!sub) continue;
    const quota = sub.quota;
    const asked = new Set(plan.filter((d) => d.kind === 'question' && d.subscriber === sub.pattern && parsedIds.has(d.messageId)).map((d) => d.messageId)).size;
    const n = Number(row.n);
    if (n > quota) {
      over += n - quota;
      out.push({ kind: 'quota exceeded', ids: `subscriber:${row.id}(${sub.plan} quota ${quota}, counted ${n}, cases ${row.cases.slice(quota).join('+')})` });
    } else if (n < Math.min(quota, asked)) {
      out.push({ kind: 'quota undercounted', ids: `subscriber:${row.id}(quota ${quota}, asked ${asked}, counted ${n})` });
    }
  }
  figures.cases = Number((await db.one<{ n: string }>('select count(*) as n from cases')).n);
  figures.drafts = Number((await db.one<{ n: string }>('select count(*) as n from draft')).n);
  figures.atQuota = counted.filter((r) => {
    const sub = subs.find((s) => s.pattern === r.pattern);
    return sub && Number(r.n) >= sub.quota;
  }).length;
  figures.overQuota = over;
}

interface OutboxRow {
  id: number;
  kind: string;
  state: string;
  message_id: string;
  to_address: string;
  created_at: Date;
  draft_id: number | null;
  draft_state: string | null;
  smtp_response: string | null;
}

/**
 * Each approval and each notice: one delivery at the receiver, or `unknown` (never two); no
 * automatic notice twice within 24 h to one sender; nothing at the receiver that is not in the outbox.
 */
export async function checkOutbox(db: ChaosDb, sink: SmtpSink, approvedByApi: Map<number, number>, listedUnknown: Set<number> | null, out: Violation[], figures: Figures): Promise<void> {
  const rows = await db.rows<OutboxRow>(`select o.id, o.kind, o.state, o.message_id, o.to_address, o.created_at, o.draft_id, d.state as draft_state, o.smtp_response from outbox o left join draft d on d.id = o.draft_id order by o.id`);
  const counts = sink.countById();
  const add = (kind: string, ids: string[]) => ids.length > 0 && out.push({ kind, ids: ids.join(',') });
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => rows.find((r) => r.message_id.toLowerCase() === id)?.id ?? id).map((id) => `outbox:${id}`);
  add('delivered twice', twice);
  const known = new Set(rows.map((r) => r.message_id.toLowerCase()));
  add('mail at the receiver that is not in the outbox', [...counts.keys()].filter((id) => !known.has(id)));
  const byState = new Map<string, string[]>();
  const note = (k: string, id: number) => byState.set(k, [...(byState.get(k) ?? []), `outbox:${id}`]);
  let unknownDelivered = 0;
  for (const r of rows) {
    const n = counts.get(r.message_id.toLowerCase()) ?? 0;
    const what = r.draft_id ? 'approval' : 'notice';
    if ((r.state === 'sent' || r.state === 'bounced') && n === 0) note(`${what} marked ${r.state} but never reached the receiver`, r.id);
    if (['queued', 'sending', 'failed'].includes(r.state)) note(`${what} left ${r.state}`, r.id);
    if (r.state === 'unknown' && n > 0) unknownDelivered += 1;
    if (r.draft_id && r.state === 'sent' && r.draft_state !== 'sent') note('draft not marked sent after its reply was sent', r.id);
  }
  for (const [k, ids] of byState) add(k, ids);
  checkUnknowns(rows, sink, listedUnknown, out, figures);
  const pending = await db.rows<{ id: number }>(`select id from draft where state = 'pending' order by id`);
  add('draft still pending at the end (not approved in time)', pending.map((r) => `draft:${r.id}`));
  const lostApprovals = [...approvedByApi].filter(([draftId, outboxId]) => !rows.some((r) => r.id === outboxId && r.draft_id === draftId));
  add('approval answered by the API without its outbox row', lostApprovals.map(([d, o]) => `draft:${d}/outbox:${o}`));

  const notices = rows.filter((r) => !r.draft_id).sort((a, b) => +a.created_at - +b.created_at);
  const bySender = new Map<string, OutboxRow[]>();
  for (const r of notices) bySender.set(r.to_address.toLowerCase(), [...(bySender.get(r.to_address.toLowerCase()) ?? []), r]);
  // The product's notice rule (src/mail/auth/sender-policy.ts decideNotice): a `received`
  // acknowledgement to a sender who is not a verified subscriber (none is in this run: the
  // generated mail carries no Authentication-Results) only when no automatic notice of any kind
  // went to them in 24 h; a refusal (`not-subscribed`, `over-quota`) only when no refusal did.
  // An acknowledgement followed by a refusal is allowed.
  const twiceIn24h: string[] = [];
  const refusal = (r: OutboxRow) => r.kind === 'not-subscribed' || r.kind === 'over-quota';
  for (const list of bySender.values()) {
    for (let i = 1; i < list.length; i++) {
      const cur = list[i];
      const clash = list.slice(0, i).reverse().find((prev) => +cur.created_at - +prev.created_at < DAY_MS && (cur.kind === 'received' || refusal(prev)));
      if (clash) twiceIn24h.push(`outbox:${clash.id}+${cur.id}(${clash.kind}/${cur.kind})`);
    }
  }
  add('automatic notice twice within 24 h to one sender (an acknowledgement after any notice, or a refusal after a refusal)', twiceIn24h);

  const approvals = rows.filter((r) => r.draft_id);
  figures.approvals = approvals.length;
  figures.sent = approvals.filter((r) => r.state === 'sent').length;
  figures.unknown = approvals.filter((r) => r.state === 'unknown').length;
  figures.unknownPct = approvals.length ? `${((100 * Number(figures.unknown)) / approvals.length).toFixed(2)}%` : '0%';
  figures.notices = notices.length;
  figures.noticesUnknown = notices.filter((r) => r.state === 'unknown').length;
  figures.unknownDelivered = unknownDelivered;
  figures.received = sink.delivered.length;
}

/**
 * What the copies did for `unknown` sends: a row whose copy came back into the mailbox must end
 * `sent` (confirmed), and every row left `unknown` must be in front of a human
 * (`casedesk outbox list --state unknown`).
 */
function checkUnknowns(rows: OutboxRow[], sink: SmtpSink, listedUnknown: Set<number> | null, out: Violation[], figures: Figures): void {
  const add = (kind: string, ids: string[]) => ids.length > 0 && out.push({ kind, ids: ids.join(',') });
  const copied = new Set(sink.copies().deliveredIds);
  const unknown = rows.filter((r) => r.state === 'unknown');
  add('unknown although its copy came back to the mailbox (not confirmed)', unknown.filter((r) => copied.has(r.message_id.toLowerCase())).map((r) => `outbox:${r.id}`));
  if (listedUnknown === null) add('casedesk outbox list --state unknown failed', ['cli']);
  else add('unknown row not shown to a human by casedesk outbox list --state unknown', unknown.filter((r) => !listedUnknown.has(r.id)).map((r) => `outbox:${r.id}`));
  const confirmed = rows.filter((r) => r.state === 'sent' && (r.smtp_response ?? '').startsWith('confirmed by the copy'));
  const approvals = confirmed.filter((r) => r.draft_id);
  figures.confirmedByCopy = approvals.length;
  figures.confirmedWasUnknown = approvals.filter((r) => /was unknown/.test(r.smtp_response ?? '')).length;
  figures.confirmedWasSending = approvals.filter((r) => /was sending/.test(r.smtp_response ?? '')).length;
  figures.noticesConfirmedByCopy = confirmed.length - approvals.length;
  figures.unknownForHuman = unknown.filter((r) => r.draft_id).length;
  figures.unknownListed = listedUnknown?.size ?? 'n/a';
}
