import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosOptions, Rng } from './options.ts';

/** What the harness sends and what CaseDesk should make of it. */
export type DeliveryKind = 'question' | 'stranger' | 'automatic' | 'follow-up' | 'duplicate' | 'no-sender';

export interface Subscriber {
  /** The pattern registered (`coder07@clinic07.chaos.test` or `@group03.chaos.test`). */
  pattern: string;
  plan: 'trial' | 'standard' | 'pro';
  /** The plan's monthly quota in this run. */
  quota: number;
  /** Addresses that write (two for a domain subscription). */
  senders: string[];
  weight: number;
}

export interface Delivery {
  n: number;
  kind: DeliveryKind;
  from: string | null;
  fromName: string;
  subscriber: string | null;
  messageId: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
  /** Follow-ups and duplicates: the delivery they answer or repeat. */
  parent?: number;
  /** Follow-ups: answer our acknowledgement (when there is one) or the question itself. */
  replyTo?: 'ack' | 'question';
  /** Automatic messages taken from the shared corpus: the raw bytes (headers prepended at send). */
  corpus?: { path: string; raw: Buffer };
  longName?: boolean;
}

/**
 * Plan quotas scaled to the load, so that trial subscribers run over, standard ones hover around
 * their quota and pro ones stay under: with 1,000 questions from 50 subscribers (20 on average)
 * `trial:8,standard:20,pro:100`; with 100, `trial:1,standard:2,pro:10`.
 */
export function plansFor(questions: number, subscribers: number): Record<Subscriber['plan'], number> {
  const avg = questions / Math.max(1, subscribers);
  return { trial: Math.max(1, Math.round(0.4 * avg)), standard: Math.max(2, Math.round(avg)), pro: Math.max(5, Math.round(5 * avg)) };
}

export const plansEnv = (plans: Record<string, number>) => Object.entries(plans).map(([k, v]) => `${k}:${v}`).join(',');
export const SERVICE_ADDRESS = 'casedesk@chaos.test';

const CPT = ['97110', '97140', '97530', '99213', '99214', '20610', '93000', '36415'];
const ICD = ['M54.50', 'E11.9', 'I10', 'Z79.4', 'J06.9', 'M25.561'];
const MODS = ['25', '59', 'GP', 'KX'];
const FIRST = ['Pat', 'Lee', 'Sam', 'Robin', 'Alex', 'Kim', 'Jo', 'Dana', 'Chris', 'Morgan'];

export function makeSubscribers(rng: Rng, count: number, questions: number): Subscriber[] {
  const plans = plansFor(questions, count);
  const subs: Subscriber[] = [];
  for (let i = 1; i <= count; i++) {
    const nn = String(i).padStart(2, '0');
    const plan = i % 10 < 3 ? 'trial' : i % 10 < 7 ? 'standard' : 'pro';
    const domain = i % 10 === 9;
    subs.push({
      pattern: domain ? `@group${nn}.chaos.test` : `coder${nn}@clinic${nn}.chaos.test`,
      plan,
      quota: plans[plan],
      senders: domain ? [`a${nn}@group${nn}.chaos.test`, `b${nn}@group${nn}.chaos.test`] : [`coder${nn}@clinic${nn}.chaos.test`],
      weight: rng.between(0.3, 1.7),
    });
  }
  return subs;
}

function questionText(rng: Rng): { subject: string; text: string } {
  const a = rng.pick(CPT);
  const b = rng.pick(CPT.filter((c) => c !== a));
  const dx = rng.pick(ICD);
  const mod = rng.pick(MODS);
  const dos = `${String(rng.int(1, 12)).padStart(2, '0')}/${String(rng.int(1, 28)).padStart(2, '0')}/2025`;
  const subject = rng.pick([`Can ${a} be billed with ${b}?`, `Modifier ${mod} on ${a}`, `${a} and ${b} same day`, `Question about ${dx} with ${a}`]);
  const text = `Hello,\n\nDOS ${dos}. We billed ${a} and ${b} with modifier ${mod}, diagnosis ${dx}.\nIs that supported, or do we need documentation first?\n\nThanks,\n${rng.pick(FIRST)}\n`;
  return { subject, text };
}

function weightedPick(rng: Rng, subs: Subscriber[]): Subscriber {
  const total = subs.reduce((s, x) => s + x.weight, 0);
  let r = rng.next() * total;
  for (const s of subs) {
    r -= s.weight;
    if (r <= 0) return s;
  }
  return subs[subs.length - 1];
}

function corpusAutomatic(rng: Rng, count: number): Array<{ path: string; raw: Buffer }> {
  const dir = join(process.cwd(), '..', 'shared', 'mail-corpus');
  const manifest = join(dir, 'MANIFEST.tsv');
  if (count === 0 || !existsSync(manifest)) return [];
  const rows = readFileSync(manifest, 'utf8').split('\n').slice(1).map((l) => l.split('\t'));
  const candidates = rows.filter((r) => r[6] === 'no' && ['auto-reply', 'dsn-bounce', 'list'].includes(r[5]) && Number(r[4]) < 60_000);
  return rng.shuffle(candidates).slice(0, count).map((r) => ({ path: r[0], raw: readFileSync(join(dir, r[0])) }));
}

function automatic(rng: Rng, n: number, subs: Subscriber[], tag: string): Omit<Delivery, 'n'> {
  const flavour = rng.pick(['auto-reply', 'bounce', 'list'] as const);
  const base = { kind: 'automatic' as const, subscriber: null, messageId: `<auto${n}.${tag}@mx.chaos.test>` };
  if (flavour === 'auto-reply') {
    const from = rng.pick(rng.pick(subs).senders);
    return { ...base, from, fromName: 'Out of office', subject: 'Automatic reply: away until Monday', text: 'I am out of the office until Monday with limited access to email.\n', headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } };
  }
  if (flavour === 'list') {
    return { ...base, from: 'news@lists.chaos.test', fromName: 'Coding News', subject: `Coding newsletter #${n}`, text: 'This month in coding: nothing to answer.\n', headers: { 'List-Id': '<coding-news.lists.chaos.test>', 'List-Unsubscribe': '<mailto:leave@lists.chaos.test>', Precedence: 'list' } };
  }
  const lost = `<cd.0.${n.toString(16).padStart(20, '0')}@chaos.test>`;
  return {
    ...base,
    from: 'MAILER-DAEMON@mx.chaos.test',
    fromName: 'Mail Delivery System',
    subject: 'Undelivered Mail Returned to Sender',
    text: '',
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Chaos-Bounce-Of': lost },
  };
}

/**
 * The whole load, in delivery order: questions in bursts per subscriber (bursts provoke the
 * quota race), strangers in bursts (the notice race), automatic mail, messages without a
 * sender, a few long display names, then follow-ups and duplicates after their parents.
 */
export function planDeliveries(rng: Rng, options: ChaosOptions, subs: Subscriber[], tag: string): Delivery[] {
  const base: Array<Omit<Delivery, 'n'>> = [];
  let questions = 0;
  while (questions < options.questions) {
    const sub = weightedPick(rng, subs);
    const burst = Math.min(rng.int(1, 4), options.questions - questions);
    for (let i = 0; i < burst; i++, questions++) {
      const { subject, text } = questionText(rng);
      const longName = rng.chance(0.01);
      const name = longName ? `${rng.pick(FIRST)} ${'Q'.repeat(rng.int(330, 420))}` : `${rng.pick(FIRST)} Coder`;
      base.push({ kind: 'question', from: rng.pick(sub.senders), fromName: name, subscriber: sub.pattern, messageId: '', subject, text, headers: {}, longName });
    }
  }
  const strangers = Math.max(2, Math.round(options.questions / 100));
  for (let s = 1; s <= strangers; s++) {
    const from = `someone${s}@elsewhere${s}.chaos.test`;
    const burst = rng.int(2, 4);
    const at = rng.int(0, base.length);
    const group = Array.from({ length: burst }, () => ({ kind: 'stranger' as const, from, fromName: 'Stranger', subscriber: null, messageId: '', ...questionText(rng), headers: {} }));
    base.splice(at, 0, ...group);
  }
  const corpus = corpusAutomatic(rng, Math.round(options.automatic * 0.15));
  for (let i = 0; i < options.automatic; i++) {
    const c = corpus[i];
    const item = c ? { kind: 'automatic' as const, from: null, fromName: '', subscriber: null, messageId: '', subject: '', text: '', headers: {}, corpus: c } : automatic(rng, i, subs, tag);
    base.splice(rng.int(0, base.length), 0, item);
  }
  for (let i = 0; i < Math.max(1, Math.round(options.questions / 300)); i++) {
    base.splice(rng.int(0, base.length), 0, { kind: 'no-sender', from: null, fromName: '', subscriber: null, messageId: '', ...questionText(rng), headers: {} });
  }
  const plan: Delivery[] = base.map((d, i) => ({ ...d, n: i + 1, messageId: d.messageId || `<m${i + 1}.${tag}@${(d.from ?? 'nobody@nowhere.chaos.test').split('@')[1]}>` }));
  return addReplies(rng, options, plan, tag);
}

/** Follow-ups (to a question or to our acknowledgement) and re-deliveries, placed after their parents. */
function addReplies(rng: Rng, options: ChaosOptions, plan: Delivery[], tag: string): Delivery[] {
  const questions = plan.filter((d) => d.kind === 'question' && !d.longName);
  const firstOf = new Set<number>();
  const seen = new Set<string>();
  for (const q of questions) if (!seen.has(q.from!)) (seen.add(q.from!), firstOf.add(q.n));
  const early = questions.filter((q) => q.n < plan.length * 0.7);
  const out = [...plan];
  let next = plan.length + 1;
  const place = (d: Delivery, parent: Delivery) => {
    const from = out.findIndex((x) => x.n === parent.n);
    const at = Math.min(out.length, from + rng.int(Math.min(40, out.length - from), Math.max(41, Math.floor(out.length * 0.3))));
    out.splice(at, 0, d);
  };
  for (let i = 0; i < options.followUps && early.length > 0; i++) {
    const parent = rng.pick(early);
    const toAck = firstOf.has(parent.n) && rng.chance(0.6);
    place({ n: next++, kind: 'follow-up', from: parent.from, fromName: parent.fromName, subscriber: parent.subscriber, messageId: `<f${i}.${tag}@${parent.from!.split('@')[1]}>`, subject: `Re: ${parent.subject}`, text: 'One more detail: the visit was 45 minutes.\n\n> earlier question\n', headers: {}, parent: parent.n, replyTo: toAck ? 'ack' : 'question' }, parent);
  }
  for (let i = 0; i < Math.max(1, Math.round(options.questions / 100)) && early.length > 0; i++) {
    const parent = rng.pick(early);
    place({ ...parent, n: next++, kind: 'duplicate', parent: parent.n }, parent);
  }
  return out;
}
