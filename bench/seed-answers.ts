import { Case } from '../src/cases/case.entity.ts';
import { AnswerKey, answerKeys } from '../src/drafts/answer-key.entity.ts';
import { Draft } from '../src/drafts/draft.entity.ts';
import type { EntityManager } from '../src/shared/db.ts';

/** The codes the benches' questions and past answers cite. */
export const BENCH_CODES = ['99213', '99214', '97110', '97140', '97530', 'J1885', 'L3908', 'G0283', 'M54.50', 'S52.501A', 'E11.9', 'Z23'];

/** Past answer `i`'s codes: two or three of BENCH_CODES, as a draft stores them. */
export function pastAnswerCodes(i: number): Record<string, string[]> {
  const c = BENCH_CODES;
  const picked = [...new Set([c[i % 12], c[(i * 7 + 3) % 12], ...(i % 3 === 0 ? [c[(i * 5 + 1) % 12]] : [])])];
  return {
    cpt: picked.filter((x) => /^\d{5}$/.test(x)), hcpcs: picked.filter((x) => /^[A-Z]\d{4}$/.test(x)),
    icd10cm: picked.filter((x) => x.includes('.') || x === 'Z23'), icd10pcs: [], modifiers: ['59'],
  };
}

/**
 * `n` answered cases, each with a sent answer whose match keys are indexed as approval indexes
 * them: a database that has served for a while, where every new draft looks for related past
 * answers. Rows are written in batches of 500 with ids above 1,000,000 (out of the way of the
 * rows the run itself writes; on PostgreSQL the sequences are not moved).
 */
export async function seedAnsweredCases(em: EntityManager, n: number): Promise<void> {
  const now = new Date();
  for (let start = 0; start < n; start += 500) {
    const ids = Array.from({ length: Math.min(500, n - start) }, (_, k) => 1_000_000 + start + k);
    await em.insertMany(Case, ids.map((id) => ({ id, subject: `past ${id}`, requesterEmail: 'coder@clinic.example', state: 'answered', openedAt: now, lastInboundAt: now, dueAt: now, updatedAt: now })) as unknown as Case[]);
    const drafts = ids.map((id) => ({
      id, caseId: id, caseMessageId: id, followUpKey: '', kind: 'answer', state: 'sent', subject: 's', bodyText: 't', bodyHtml: 'h',
      codes: pastAnswerCodes(id), evidence: {}, versions: [], decidedAt: new Date(now.getTime() - (1_000_000 + n - id) * 60_000), createdAt: now, updatedAt: now,
    }));
    await em.insertMany(Draft, drafts as unknown as Draft[]);
    await em.insertMany(AnswerKey, drafts.flatMap((d) => answerKeys(d.codes).map((matchKey) => ({ draftId: d.id, matchKey }))));
  }
}
