import { createHash } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';

const PROCEDURE = /^(?:\d{4}[0-9FT]|[A-V]\d{4})$/;
const MODIFIER = /^[0-9A-Z]{2}$/;
/** Procedure codes of one answer that make pair keys (C(24, 2) = 276 keys at most). */
const MAX_PAIR_CODES = 24;

/**
 * One match key of an approved answer, written when the draft is approved: the index the
 * related-cases lookup (./related.ts) reads, so a draft finds the past answers on its codes
 * among all of them by key, without reading approved drafts' codes. A key is either
 * `pair:A+B` (two procedure codes the answer cites, sorted) or `set:<sha-256>` (its whole code
 * set, modifiers left out).
 */
export class AnswerKey {
  id!: number;
  draftId!: number;
  matchKey!: string;
}

export const AnswerKeySchema = new EntitySchema<AnswerKey>({
  class: AnswerKey,
  tableName: 'answer_key',
  uniques: [{ properties: ['draftId', 'matchKey'] }],
  indexes: [{ properties: ['matchKey', 'draftId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    draftId: { type: 'integer' },
    matchKey: { type: 'string', length: 80 },
  },
});

/** A draft's `codes`: its five lists (cpt, hcpcs, icd10cm, icd10pcs, modifiers), or a flat list (older drafts). */
export type CodeLists = Partial<Record<string, string[]>>;

/**
 * Billing codes (modifiers left out) and the procedure codes among them (CPT, HCPCS), upper-cased.
 * A flat list is classified by shape: CPT 5 characters, HCPCS a letter and 4 digits, and a
 * 2-character item is a modifier.
 */
export function codeSets(codes: string[] | CodeLists): { all: Set<string>; procedures: string[] } {
  const up = (list: string[] | undefined): string[] => (list ?? []).map((c) => String(c).trim().toUpperCase()).filter(Boolean);
  if (Array.isArray(codes)) {
    const all = up(codes).filter((c) => !MODIFIER.test(c));
    return { all: new Set(all), procedures: [...new Set(all.filter((c) => PROCEDURE.test(c)))] };
  }
  const procedures = [...new Set([...up(codes.cpt), ...up(codes.hcpcs)])];
  return { all: new Set([...procedures, ...up(codes.icd10cm), ...up(codes.icd10pcs)]), procedures };
}

/**
 * The match keys of a set of codes: one per pair of its procedure codes, and one for the whole
 * set. Two drafts' codes "cite each other" (the same set, or two procedure codes in common)
 * exactly when they share a key.
 */
export function answerKeys(codes: string[] | CodeLists | null | undefined): string[] {
  const { all, procedures } = codeSets(codes ?? {});
  if (all.size === 0) return [];
  const sorted = [...procedures].filter((c) => c.length <= 7).sort().slice(0, MAX_PAIR_CODES);
  const keys: string[] = [];
  for (let i = 0; i < sorted.length; i += 1) for (let j = i + 1; j < sorted.length; j += 1) keys.push(`pair:${sorted[i]}+${sorted[j]}`);
  keys.push(`set:${createHash('sha256').update([...all].sort().join('\n')).digest('hex')}`);
  return keys;
}

/**
 * The rows that index the answers approved before the index existed (the migration that creates
 * answer_key inserts them): each answer's match keys, under its id.
 */
export function backfillAnswerKeyRows(drafts: Record<string, unknown>[]): { draft_id: number; match_key: string }[] {
  return drafts.flatMap((d) => {
    const id = Number(d.id);
    const codes = typeof d.codes === 'string' ? (JSON.parse(d.codes) as unknown) : d.codes;
    if (!Number.isSafeInteger(id) || codes === null || typeof codes !== 'object') return [];
    return answerKeys(codes as CodeLists | string[]).map((key) => ({ draft_id: id, match_key: key }));
  });
}
