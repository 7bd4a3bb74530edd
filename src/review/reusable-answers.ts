import type { EntityManager } from '@mikro-orm/core';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { answerSection } from './edit-measure.ts';
import { ReusableAnswer, type ReusableAnswerState } from './reusable-answer.entity.ts';

type DraftCodes = Record<string, string[] | undefined>;

const PROCEDURES = ['cpt', 'hcpcs'];
const ALL_CODES = ['cpt', 'hcpcs', 'icd10cm', 'icd10pcs'];
/** Which of a draft's codes key a reusable answer of each intent (`other` and `code-for-words` have no code key). */
const KEY_CODES: Record<string, string[]> = {
  'ncci-pair': PROCEDURES, units: PROCEDURES, validity: ALL_CODES, billable: ALL_CODES, descriptor: ALL_CODES, modifier: ['modifiers', ...PROCEDURES],
};

/** The codes that key an intent's reusable answer, sorted and unique (so a pair matches in either order). */
export function keyCodes(intent: string, codes: DraftCodes): string[] {
  const fields = KEY_CODES[intent];
  if (!fields) return [];
  return [...new Set(fields.flatMap((f) => codes[f] ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))].sort();
}

/** `ncci-pair:97140+97530`; null when the intent has no code key or the draft names no such code. */
export function reusableKey(intent: string, codes: DraftCodes): string | null {
  const list = keyCodes(intent, codes);
  return list.length ? `${intent}:${list.join('+')}` : null;
}

/**
 * On approval: the approved answer becomes the reusable answer of each of the draft's keys. Only
 * the answer body is kept (answerSection: no greeting, no signature, no quoted question). An
 * active answer under the key is replaced; a retired one stays retired (an admin decided).
 * Runs inside the approval's transaction.
 */
export async function rememberAnswer(tx: EntityManager, input: { draftId: number; intents: string[]; codes: DraftCodes; approvedText: string; actor: string }): Promise<number> {
  const body = answerSection(input.approvedText);
  if (!body) return 0;
  let kept = 0;
  for (const intent of input.intents) {
    const key = reusableKey(intent, input.codes);
    if (!key) continue;
    const existing = await tx.findOne(ReusableAnswer, { key });
    if (existing?.state === 'retired') continue;
    if (existing) {
      existing.body = body;
      existing.sourceDraftId = input.draftId;
      existing.updatedBy = input.actor;
    } else {
      // Another approval may write the same key at the same moment: the first one wins, neither fails.
      const now = new Date();
      await tx.upsert(
        ReusableAnswer,
        { key, intent, codes: keyCodes(intent, input.codes), body, state: 'active', sourceDraftId: input.draftId, updatedBy: input.actor, createdAt: now, updatedAt: now },
        { onConflictFields: ['key'], onConflictAction: 'ignore' },
      );
    }
    kept++;
  }
  return kept;
}

export interface ReusableAnswerView {
  id: number;
  key: string;
  intent: string;
  codes: string[];
  body: string;
  state: ReusableAnswerState;
  updatedBy: string;
  updatedAt: string;
}

const view = (r: ReusableAnswer): ReusableAnswerView => ({
  id: r.id, key: r.key, intent: r.intent, codes: r.codes, body: r.body, state: r.state, updatedBy: r.updatedBy, updatedAt: new Date(r.updatedAt).toISOString(),
});

/** The active reusable answers for a draft's intents and codes (one per key), for the case page. */
export async function reusableAnswersFor(em: EntityManager, draft: { intents: string[] | null; codes: DraftCodes }): Promise<ReusableAnswerView[]> {
  const keys = [...new Set((draft.intents ?? []).map((i) => reusableKey(i, draft.codes)).filter((k): k is string => k !== null))];
  if (keys.length === 0) return [];
  return (await em.find(ReusableAnswer, { key: { $in: keys }, state: 'active' }, { orderBy: { id: 'asc' } })).map(view);
}

/** Every reusable answer (active first), for the admin page. */
export async function listReusableAnswers(em: EntityManager): Promise<ReusableAnswerView[]> {
  return (await em.find(ReusableAnswer, {}, { orderBy: [{ state: 'asc' }, { key: 'asc' }] })).map(view);
}

async function one(tx: EntityManager, id: number): Promise<ReusableAnswer> {
  const row = await tx.findOne(ReusableAnswer, { id });
  if (!row) throw new NotFoundError(`reusable answer ${id} not found`);
  return row;
}

/** An admin edits the body (greeting and signature lines are stripped the same way). */
export async function editReusableAnswer(em: EntityManager, input: { id: number; body: string; actor: string }): Promise<void> {
  const body = answerSection(input.body);
  if (!body) throw new ValidationError('the answer text is empty');
  await em.transactional(async (tx) => {
    const row = await one(tx, input.id);
    row.body = body;
    row.sourceDraftId = null;
    row.updatedBy = input.actor;
  });
}

/** Retire (no longer offered) or bring back a reusable answer. */
export async function setReusableAnswerState(em: EntityManager, input: { id: number; state: ReusableAnswerState; actor: string }): Promise<void> {
  await em.transactional(async (tx) => {
    const row = await one(tx, input.id);
    if (row.state === input.state) return;
    row.state = input.state;
    row.updatedBy = input.actor;
  });
}
