import type { EntitySchema } from '@mikro-orm/core';

/** Entities of the code database (releases, codes, NCCI edits, MUE limits, plain-language descriptions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const codeEntities: EntitySchema<any>[] = [];
