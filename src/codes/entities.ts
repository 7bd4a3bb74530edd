import type { EntitySchema } from '@mikro-orm/core';
import { CodeDescriptionSchema } from './code-description.entity.ts';
import { CodeEntrySchema } from './code-entry.entity.ts';
import { CodeReleaseSchema } from './code-release.entity.ts';
import { MueLimitSchema } from './mue-limit.entity.ts';
import { NcciEditSchema } from './ncci-edit.entity.ts';

/** Entities of the code database (releases, codes, NCCI edits, MUE limits, plain-language descriptions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const codeEntities: EntitySchema<any>[] = [
  CodeReleaseSchema,
  CodeEntrySchema,
  NcciEditSchema,
  MueLimitSchema,
  CodeDescriptionSchema,
];
