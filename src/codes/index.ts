/** The code database: import official code-set files as releases, look codes up as of a date, search, NCCI/MUE edits. */
export { importCodeFile, type ImportOptions } from './import-code-file.ts';
export { lookupCode } from './lookup-code.ts';
export { findMue, findNcciEdit, MODIFIER_INDICATOR_MEANING, MUE_ADJUDICATION_MEANING } from './ncci-mue.ts';
export { searchCodes } from './search-codes.ts';
export { describeCode, plainLanguageOf, type PlainLanguageDescription } from './describe-code.ts';
export { releasesInForce } from './releases.ts';
export { CodeCache, type CodeCacheOptions } from './code-cache.ts';
export type { EditLookupOptions } from './ncci-mue.ts';
export { codeEntities } from './entities.ts';
export type {
  CodeLookup, CodeRef, ImportProgress, ImportSummary, ImportSystem, LookupSystem, MueLimit, NcciEdit, RejectedRow, ReleaseRef, SearchHit,
} from './types.ts';
export { IMPORT_SYSTEMS } from './types.ts';
