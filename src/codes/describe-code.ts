import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { CodeDescription } from './code-description.entity.ts';
import { candidateSystems, compactCode } from './normalize.ts';
import type { CodeCache } from './code-cache.ts';

export interface PlainLanguageDescription {
  code: string;
  text: string;
  author: string | null;
  updatedAt: Date;
}

/**
 * Set a consultant's plain-language description of a code (one per code; a new text replaces
 * the old). It describes the code across releases and is shown beside the official descriptor.
 * The code must be well formed (any system); the text must be non-empty and at most 2,000 chars.
 * The caller's cache sees the new text at once; other caches within their TTL.
 */
export async function describeCode(em: EntityManager, code: string, text: string, author?: string, options: { cache?: CodeCache } = {}): Promise<PlainLanguageDescription> {
  const c = compactCode(code);
  if (candidateSystems(code).length === 0) throw new ValidationError(`"${code}" is not a well-formed code`);
  const t = text.trim();
  if (!t) throw new ValidationError('the plain-language description is empty');
  if (t.length > 2000) throw new ValidationError('the plain-language description is longer than 2,000 characters');
  const fork = em.fork();
  const row = (await fork.findOne(CodeDescription, { code: c })) ?? fork.create(CodeDescription, { code: c, text: t });
  row.text = t;
  row.author = author ?? null;
  row.updatedAt = new Date();
  await fork.flush();
  options.cache?.descriptionsChanged(em);
  return { code: c, text: row.text, author: row.author ?? null, updatedAt: row.updatedAt };
}

/** The stored plain-language description of a code, with who wrote it and when; null when none. */
export async function plainLanguageOf(em: EntityManager, code: string): Promise<PlainLanguageDescription | null> {
  const row = await em.fork().findOne(CodeDescription, { code: compactCode(code) });
  return row ? { code: row.code, text: row.text, author: row.author ?? null, updatedAt: row.updatedAt } : null;
}
