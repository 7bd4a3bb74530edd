import type { EntityManager } from '@mikro-orm/core';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { Draft } from '../drafts/draft.entity.ts';
import { replySubject, type ReplyRenderer } from '../drafts/render.ts';
import { AuditEntry } from '../review/audit.entity.ts';
import { isUniqueViolation } from '../shared/db.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { describeChange, pairKey, type AffectedFact } from './impact-core.ts';
import { Impact } from './impact.entity.ts';

export interface FollowUpDeps {
  em: EntityManager;
  renderer: Pick<ReplyRenderer, 'renderConsultantReply'>;
  signatureName: string;
}

/** What one follow-up is for: one case and one release (all the case's answers that release overtook). */
export interface FollowUpTarget {
  caseId: number;
  releaseId: number;
  actor: string;
}

/** The key that makes a follow-up unique with its question: never two for the same release in a case. */
export const followUpKey = (releaseId: number) => `release:${releaseId}`;

/** The follow-up text: which release, from which date of service, and each changed fact before → after. */
export function followUpText(input: { greetingName: string | null; caseNumber: string; impacts: Impact[]; signatureName: string }): string {
  const first = input.impacts[0];
  const lines = [
    `Hello${input.greetingName ? ` ${input.greetingName}` : ''},`,
    '',
    `A new code-set release changes facts our earlier answer in case ${input.caseNumber} relied on: ${first.releaseLabel}, for dates of service from ${first.effectiveDate}.`,
    '',
  ];
  const seen = new Set<string>();
  for (const impact of input.impacts) {
    for (const fact of impact.facts) {
      for (const change of fact.changes) {
        const said = describeChange(fact, change);
        if (seen.has(said)) continue;
        seen.add(said);
        lines.push(`- ${said}`);
      }
    }
  }
  lines.push(
    '',
    `For dates of service before ${first.effectiveDate} our answer stands as written. For dates of service on or after ${first.effectiveDate}, please apply the change above; reply in this thread if you would like us to look at a claim again.`,
    '',
    input.signatureName,
  );
  return lines.join('\n');
}

/**
 * Draft the follow-up to a coder whose answers in a case a release overtook: a pending draft in
 * the same thread (it answers the question of the case's first affected answer, so approval
 * threads it with In-Reply-To/References like any reply), saying what changed and from which
 * date of service. Nothing is sent until a consultant approves it. At most one per case and
 * release (unique with its question): asking again returns the one drafted.
 */
export async function draftFollowUp(deps: FollowUpDeps, target: FollowUpTarget): Promise<{ draftId: number; caseId: number; already: boolean }> {
  const em = deps.em;
  const impacts = await em.find(Impact, { caseId: target.caseId, releaseId: target.releaseId }, { orderBy: { draftId: 'asc' } });
  if (impacts.length === 0) throw new NotFoundError(`no impact of release ${target.releaseId} in case CD-${target.caseId}`);
  const done = impacts.find((i) => i.followUpDraftId != null);
  if (done) {
    const drafted = await em.findOneOrFail(Draft, { id: done.followUpDraftId! }, { fields: ['id', 'caseId'] });
    return { draftId: drafted.id, caseId: drafted.caseId, already: true };
  }
  const answer = await em.findOneOrFail(Draft, { id: impacts[0].draftId });
  const [caseRow, question] = await Promise.all([em.findOneOrFail(Case, { id: target.caseId }), em.findOneOrFail(CaseMessage, { id: answer.caseMessageId })]);
  const covered = await changesTold(em, target.releaseId, caseRow.requesterEmail);
  const untold = impacts.map((i) => ({ ...i, facts: withoutTold(i.facts, covered.changes) })).filter((i) => i.facts.length > 0);
  if (untold.length === 0) {
    // Nothing new for this coder: the impacts are settled by the follow-up that told them.
    await em.nativeUpdate(Impact, { id: { $in: impacts.map((i) => i.id) } }, { followUpDraftId: covered.drafts[0] });
    throw new ConflictError(`CD-${caseRow.id}: every change of this release was already told to ${caseRow.requesterEmail} in a follow-up (${covered.cases.map((c) => `CD-${c}`).join(', ')})`);
  }
  const key = followUpKey(target.releaseId);
  const text = followUpText({ greetingName: question.fromName ?? null, caseNumber: `CD-${caseRow.id}`, impacts: untold, signatureName: deps.signatureName });
  const rendered = deps.renderer.renderConsultantReply(text);
  let draftId: number;
  try {
    draftId = await em.fork().transactional(async (tx) => {
      const draft = tx.create(Draft, {
        caseId: caseRow.id, caseMessageId: question.id, followUpKey: key, kind: 'follow-up', subject: replySubject(caseRow.subject, caseRow.id),
        bodyText: rendered.text, bodyHtml: rendered.html, versions: [impacts[0].releaseLabel],
        evidence: { followUp: { releaseId: target.releaseId, impacts: impacts.map((i) => ({ id: i.id, draftId: i.draftId, facts: i.facts })) } },
      });
      await tx.flush();
      await appendAudit(tx, { actor: target.actor, action: 'impact.follow-up', caseId: caseRow.id, draftId: draft.id, details: { releaseId: target.releaseId, impacts: impacts.length } });
      return draft.id;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await em.fork().findOneOrFail(Draft, { caseMessageId: question.id, followUpKey: key }, { fields: ['id'] });
    return { draftId: raced.id, caseId: caseRow.id, already: true };
  }
  await em.nativeUpdate(Impact, { id: { $in: impacts.map((i) => i.id) } }, { followUpDraftId: draftId });
  return { draftId, caseId: caseRow.id, already: false };
}

/** One change of one fact, the same whichever order a pair was written in. */
const changeKey = (f: AffectedFact, change: string) => `${f.kind === 'pair' ? pairKey(...(f.fact.split('/') as [string, string])) : f.fact}|${change}`;

function withoutTold(facts: AffectedFact[], told: Set<string>): AffectedFact[] {
  return facts.map((f) => ({ ...f, changes: f.changes.filter((c) => !told.has(changeKey(f, c))) })).filter((f) => f.changes.length > 0);
}

/**
 * The changes of a release already told to a coder (the same requester) in a follow-up of any of
 * their cases that was not rejected: a coder is never sent two follow-ups for the same change.
 */
async function changesTold(em: EntityManager, releaseId: number, requester: string): Promise<{ changes: Set<string>; cases: number[]; drafts: number[] }> {
  const followed = await em.find(Impact, { releaseId, followUpDraftId: { $ne: null } });
  if (followed.length === 0) return { changes: new Set(), cases: [], drafts: [] };
  const live = new Set((await em.find(Draft, { id: { $in: followed.map((i) => i.followUpDraftId!) }, state: { $ne: 'rejected' } }, { fields: ['id'] })).map((d) => d.id));
  const theirs = new Set((await em.find(Case, { id: { $in: followed.map((i) => i.caseId) } }, { fields: ['id', 'requesterEmail'] }))
    .filter((c) => c.requesterEmail.toLowerCase() === requester.toLowerCase()).map((c) => c.id));
  const told = followed.filter((i) => live.has(i.followUpDraftId!) && theirs.has(i.caseId));
  return { changes: new Set(told.flatMap((i) => i.facts.flatMap((f) => f.changes.map((c) => changeKey(f, c))))), cases: [...new Set(told.map((i) => i.caseId))], drafts: told.map((i) => i.followUpDraftId!) };
}
