import type { EntityManager } from '@mikro-orm/core';
import { CodeCache } from '../codes/code-cache.ts';
import { searchCodes } from '../codes/index.ts';
import { lookupCode } from '../codes/lookup-code.ts';
import { findMue, findNcciEdit } from '../codes/ncci-mue.ts';
import { releasesInForce } from '../codes/releases.ts';
import type { CodeFacts } from './code-facts.ts';
import type { SuggestPort } from './suggest/lookups.ts';

/** CodeFacts bound to one EntityManager (and the composer's code cache): the code database as the evidence core sees it. */
export function codeFactsFor(em: EntityManager, cache?: CodeCache): CodeFacts {
  return {
    lookupCode: (code, options) => lookupCode(em, code, { date: options.date, cache }),
    findNcciEdit: (a, b, options) => findNcciEdit(em, a, b, { date: options.date, cache }),
    findMue: (code, options) => findMue(em, code, { date: options.date, cache }),
    releasesInForce: (date) => releasesInForce(em, date, { cache }),
  };
}

/**
 * The suggestion's port bound to one EntityManager: the evidence's CodeFacts plus the code
 * database's descriptor search. The draft stage and `casedesk suggest` use the same binding.
 */
export function suggestPortFor(em: EntityManager, cache?: CodeCache): SuggestPort {
  return {
    ...codeFactsFor(em, cache),
    searchCodes: (words, options) => searchCodes(em, words, { system: options.system, limit: options.limit }),
  };
}
