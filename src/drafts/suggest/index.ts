/**
 * Suggested answers (issue 10): what a coder asks (intents), and the answer the code data
 * supports, with its facts and sources. The draft stage calls {@link suggestFromEvidence} with
 * the evidence it built; `casedesk suggest` calls {@link suggestAnswer}.
 */
export { suggestAnswer, suggestFromEvidence, contractCodes, type SuggestQuestion, type SuggestionWithEvidence } from './suggest.ts';
export { suggestPortFor } from './bind.ts';
export { detectIntents, type QuestionInput, type QuestionIntents, type LookingFor } from './intents.ts';
export { composeAnswer, type ComposeInput } from './compose-answer.ts';
export type { SuggestPort, SearchCandidate } from './lookups.ts';
export { INTENTS, type Intent, type Fact, type NcciFact, type MueFact, type CodeFact, type ModifierFact, type SearchFact, type Suggestion } from './types.ts';
export { toContractJson } from './contract-json.ts';
export { unitsInWords } from './units-in-words.ts';
