import type { EntityManager } from '@mikro-orm/core';
import { searchCodes } from '../../codes/index.ts';
import { codeFactsFor } from '../compose.ts';
import type { SuggestPort } from './lookups.ts';

/**
 * The suggestion's port bound to one EntityManager: the draft stage's CodeFacts binding plus the
 * code database's descriptor search.
 */
export function suggestPortFor(em: EntityManager): SuggestPort {
  return {
    ...codeFactsFor(em),
    searchCodes: (words, options) => searchCodes(em, words, { system: options.system, limit: options.limit }),
  };
}
