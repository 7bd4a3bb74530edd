import type { EntityManager } from '@mikro-orm/core';
import { Outbox } from '../cases/outbox.entity.ts';
import { releaseKey, ReleaseListCache, type ReleaseRow } from '../codes/releases.ts';
import { Draft } from '../drafts/draft.entity.ts';
import { releaseLabel, systemLabel } from '../drafts/evidence.ts';
import { isUniqueViolation } from '../shared/db.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { affectedFacts, citedFacts, compact, pairKey, type AffectedFact, type CitedFacts, type ImpactSystem } from './impact-core.ts';
import { Impact } from './impact.entity.ts';
import { codeLookups, mueLookups, ncciLookups, type LookupPair } from './release-lookups.ts';

export interface ImpactOptions {
  /** Answers sent within this many days are checked (IMPACT_LOOKBACK_DAYS). */
  lookbackDays: number;
  now?: Date;
}

export interface ImpactSummary {
  release: { id: number; system: string; version: string; effectiveDate: string; label: string };
  /** The release compared with; null when the system had no release before (nothing to compare). */
  previous: { id: number; version: string; effectiveDate: string } | null;
  answersChecked: number;
  /** Answers affected (stored impact rows of this release, old and new). */
  affected: number;
  /** Impact rows this run added (0 when it ran before). */
  created: number;
}

interface SentAnswer {
  draftId: number;
  caseId: number;
  facts: CitedFacts;
}

/** The release asked for: an id, or `latest` (the last imported). */
export async function resolveRelease(em: EntityManager, ref: string | number): Promise<{ release: ReleaseRow; releases: ReleaseRow[] }> {
  const releases = await new ReleaseListCache().load(em, { fresh: true });
  if (ref === 'latest') {
    const release = releases.reduce<ReleaseRow | undefined>((a, r) => (!a || r.id > a.id ? r : a), undefined);
    if (!release) throw new NotFoundError('no release imported yet');
    return { release, releases };
  }
  const id = Number(ref);
  if (!Number.isInteger(id) || id < 1) throw new ValidationError(`"${ref}" is not a release id (a number, or latest)`);
  const release = releases.find((r) => r.id === id);
  if (!release) throw new NotFoundError(`release ${id} not found`);
  return { release, releases };
}

/** The release a release follows: the one just before it in its system's chain (see releaseKey). */
export function previousRelease(releases: ReleaseRow[], release: ReleaseRow): ReleaseRow | undefined {
  const key = releaseKey(release);
  let best: ReleaseRow | undefined;
  for (const r of releases) {
    if (r.system !== release.system || r.id === release.id || releaseKey(r) >= key) continue;
    if (!best || releaseKey(r) > releaseKey(best)) best = r;
  }
  return best;
}

function impactSystem(system: string): ImpactSystem {
  return system === 'ncci' || system === 'mue' ? system : 'codes';
}

/** Answers sent since the cutoff, with the facts their evidence cites (read in batches). */
async function sentAnswers(em: EntityManager, since: Date): Promise<SentAnswer[]> {
  const sent = await em.find(Outbox, { state: 'sent', kind: 'answer', sentAt: { $gte: since }, draftId: { $ne: null } }, { fields: ['id', 'draftId'] });
  const ids = sent.map((o) => o.draftId!);
  const out: SentAnswer[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const drafts = await em.find(Draft, { id: { $in: ids.slice(i, i + 500) }, kind: 'answer' }, { fields: ['id', 'caseId', 'evidence'] });
    for (const d of drafts) out.push({ draftId: d.id, caseId: d.caseId, facts: citedFacts(d.evidence) });
    em.clear();
  }
  return out;
}

/** The cited keys of one kind of release: unordered pairs, MUE codes, or codes of the release's system. */
function citedKeys(answers: SentAnswer[], system: ImpactSystem, label: string): Set<string> {
  const keys = new Set<string>();
  for (const { facts } of answers) {
    if (system === 'ncci') for (const [a, b] of facts.pairs) keys.add(pairKey(a, b));
    else if (system === 'mue') for (const c of facts.mue) keys.add(compact(c));
    else for (const c of facts.codes) if (c.systemLabel === label) keys.add(compact(c.code));
  }
  return keys;
}

function lookupsFor(em: EntityManager, system: ImpactSystem, previous: ReleaseRow, release: ReleaseRow, keys: Set<string>): Promise<LookupPair> {
  if (system === 'ncci') return ncciLookups(em, previous, release, keys);
  if (system === 'mue') return mueLookups(em, previous, release, keys);
  return codeLookups(em, previous, release, keys);
}

function summaryOf(release: ReleaseRow, previous: ReleaseRow | undefined, checked: number, affected: number, created: number): ImpactSummary {
  return {
    release: { id: release.id, system: release.system, version: release.version, effectiveDate: release.effectiveDate, label: releaseLabel(release) },
    previous: previous ? { id: previous.id, version: previous.version, effectiveDate: previous.effectiveDate } : null,
    answersChecked: checked, affected, created,
  };
}

/**
 * The impact of one release: every answer sent in the last `lookbackDays` whose cited facts read
 * otherwise in this release than in the one it follows gets one Impact row (before/after of each
 * fact). Idempotent: rows already stored for this release are kept and not written again (unique
 * on answer and release), so importing the same release again, or running this twice, adds none.
 */
export async function computeReleaseImpact(em: EntityManager, ref: string | number, options: ImpactOptions): Promise<ImpactSummary> {
  const { release, releases } = await resolveRelease(em, ref);
  const previous = previousRelease(releases, release);
  if (!previous) return summaryOf(release, undefined, 0, await em.count(Impact, { releaseId: release.id }), 0);
  const since = new Date((options.now ?? new Date()).getTime() - options.lookbackDays * 86_400_000);
  const answers = await sentAnswers(em.fork(), since);
  const system = impactSystem(release.system);
  const lookups = await lookupsFor(em, system, previous, release, citedKeys(answers, system, systemLabel(release.system)));
  const found = new Map<number, { answer: SentAnswer; facts: AffectedFact[] }>();
  for (const answer of answers) {
    const facts = affectedFacts(answer.facts, system, lookups.before, lookups.after);
    if (facts.length) found.set(answer.draftId, { answer, facts });
  }
  const created = await storeImpacts(em, release, previous, [...found.values()]);
  return summaryOf(release, previous, answers.length, await em.fork().count(Impact, { releaseId: release.id }), created);
}

/** Insert the impacts not stored yet; a concurrent run that stored one first is not an error. */
async function storeImpacts(em: EntityManager, release: ReleaseRow, previous: ReleaseRow, found: { answer: SentAnswer; facts: AffectedFact[] }[]): Promise<number> {
  const fresh = em.fork();
  const stored = new Set((await fresh.find(Impact, { releaseId: release.id }, { fields: ['draftId'] })).map((i) => i.draftId));
  const label = releaseLabel(release);
  let created = 0;
  for (let i = 0; i < found.length; i += 500) {
    const rows = found.slice(i, i + 500).filter((f) => !stored.has(f.answer.draftId)).map((f) => ({
      draftId: f.answer.draftId, caseId: f.answer.caseId, releaseId: release.id, system: release.system, releaseLabel: label,
      effectiveDate: release.effectiveDate, previousReleaseId: previous.id, facts: f.facts, createdAt: new Date(),
    }));
    if (rows.length === 0) continue;
    try {
      await fresh.insertMany(Impact, rows);
      created += rows.length;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      for (const row of rows) created += await insertOne(em.fork(), row);
    }
  }
  return created;
}

async function insertOne(em: EntityManager, row: Omit<Impact, 'id'>): Promise<number> {
  try {
    await em.insert(Impact, row);
    return 1;
  } catch (err) {
    if (isUniqueViolation(err)) return 0;
    throw err;
  }
}
