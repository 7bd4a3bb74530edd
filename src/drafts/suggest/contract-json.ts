import type { Suggestion } from './types.ts';

/** The `casedesk suggest --json` object (SUGGEST.md): exactly its four keys; no answer is `""`. */
export function toContractJson(s: Suggestion): { intents: string[]; answer: string; facts: Suggestion['facts']; missing: string[] } {
  return { intents: s.intents, answer: s.answer ?? '', facts: s.facts, missing: s.missing };
}
