import type { EntityManager } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeCache, describeCode, findMue, findNcciEdit, lookupCode, plainLanguageOf, releasesInForce, searchCodes } from '../../codes/index.ts';
import { today } from '../../codes/normalize.ts';
import { candidateSystems } from '../../codes/normalize.ts';
import { AppError } from '../../shared/errors.ts';
import { parseInput, redirectWith, sendPage } from '../page.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { codeSearchDetails } from '../../review/code-search-audit.ts';
import type { WebContext } from '../context.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const codesQuery = z.object({ q: z.string().trim().max(200).default(''), date: isoDate.optional().or(z.literal('').transform(() => undefined)) });
const ncciQuery = z.object({ a: z.string().trim().max(20).default(''), b: z.string().trim().max(20).default(''), date: isoDate.optional().or(z.literal('').transform(() => undefined)) });
const describeBody = z.object({ code: z.string().trim().min(1).max(20), text: z.string().max(2_000), _csrf: z.string().optional() });

const looksLikeCode = (q: string) => /^\S+$/.test(q) && candidateSystems(q).length > 0;

/** The detail of one code as the page shows it. */
async function codeDetail(em: () => EntityManager, cache: CodeCache, code: string, date: string | undefined) {
  const found = await lookupCode(em(), code, { date, cache });
  const mue = found.status !== 'unknown' && (found.system === 'cpt' || found.system === 'hcpcs') ? await findMue(em(), found.code, { date, cache }) : null;
  const plain = found.status !== 'unknown' ? await plainLanguageOf(em(), found.code) : null;
  return {
    code: found.code, system: found.system, status: found.status, short: found.shortDescription ?? null, long: found.longDescription ?? null,
    plainLanguage: plain?.text ?? found.plainLanguage ?? null,
    plainBy: plain ? { author: plain.author ?? 'unknown', at: plain.updatedAt.toISOString().slice(0, 16).replace('T', ' ') } : null,
    billable: found.billable === undefined ? null : found.billable, header: found.header === true,
    children: (found.children ?? []).slice(0, 50), childCount: found.childCount ?? 0, endDate: found.endDate ?? null,
    release: found.release ? `${found.release.system} ${found.release.version} (from ${found.release.effectiveDate})` : null,
    closest: found.closest ?? [], licensed: found.licensed !== false, mue: mue ? `MUE ${mue.value} (indicator ${mue.adjudicationIndicator}: ${mue.adjudicationMeaning})` : null,
  };
}

/** Which of three holds: no NCCI release is loaded (for the date), no edit between the pair in release R, or the edit. */
async function ncciAnswer(em: () => EntityManager, cache: CodeCache, a: string, b: string, date: string | undefined) {
  const on = date ?? today();
  const release = (await releasesInForce(em(), on, { cache })).find((r) => r.system === 'ncci');
  const none = { rationale: null, release: null, effective: null, deleted: null };
  if (!release) {
    const any = (await releasesInForce(em(), '9999-12-31', { cache })).some((r) => r.system === 'ncci');
    return { found: false, text: any ? `No NCCI release is loaded for ${on} (the releases loaded begin later).` : 'No NCCI release is loaded: import one (casedesk codes import ncci …) to check pairs.', ...none };
  }
  const name = `${release.version} (from ${release.effectiveDate})`;
  const edit = await findNcciEdit(em(), a, b, { date, cache });
  if (!edit) return { found: false, text: `No edit between ${a.toUpperCase()} and ${b.toUpperCase()} in NCCI release ${name}.`, ...none };
  return {
    found: true,
    text: `${edit.column1} (column 1) / ${edit.column2} (column 2): ${edit.active ? 'in force' : 'not in force'} on ${on}; modifier indicator ${edit.modifierIndicator}: ${edit.meaning}`,
    rationale: edit.rationale, release: `${edit.release.version} (from ${edit.release.effectiveDate})`, effective: edit.effectiveDate, deleted: edit.deletionDate,
  };
}

/** Case2Code: search and look up codes, edit the plain-language description, check an NCCI pair. */
export async function registerCodeRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const em = () => ctx.deps.orm.em.fork();
  // One code cache (release tables, search index, NCCI pairs) for the life of the server.
  const cache = ctx.deps.codeCache ?? new CodeCache();

  app.get('/codes', async (request, reply) => {
    const q = parseInput(codesQuery, request.query);
    let lookup = null;
    let hits: unknown[] = [];
    let error: string | null = null;
    try {
      // One code: its detail (and, for a header, the codes below it) and nothing else; words: keyword results.
      // A word that merely has a code's shape ("therapy" is PCS-shaped) and is no code reads as a word.
      if (q.q && looksLikeCode(q.q)) lookup = await codeDetail(em, cache, q.q, q.date);
      if (lookup?.status === 'unknown' && !/\d/.test(q.q)) lookup = null;
      if (q.q && !lookup) hits = await searchCodes(em(), q.q, { limit: 25, cache });
      if (q.q) await appendAudit(em(), { actor: request.user!.email, action: 'code.search', details: codeSearchDetails(q.q, hits.length) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      error = err.message;
    }
    return sendPage(request, reply, ctx.render, 'codes', 'Codes', { q: q.q, date: q.date ?? '', lookup, hits, error, ncci: null, pair: { a: '', b: '', date: q.date ?? '' } });
  });

  app.get('/codes/ncci', async (request, reply) => {
    const q = parseInput(ncciQuery, request.query);
    let ncci = null;
    let error: string | null = null;
    if (q.a && q.b) {
      try {
        ncci = await ncciAnswer(em, cache, q.a, q.b, q.date);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        error = err.message;
      }
    }
    return sendPage(request, reply, ctx.render, 'codes', 'NCCI pair check', { q: '', date: q.date ?? '', lookup: null, hits: [], error, ncci, pair: { a: q.a, b: q.b, date: q.date ?? '' } });
  });

  app.post('/codes/describe', async (request, reply) => {
    const body = parseInput(describeBody, request.body);
    const back = `/codes?q=${encodeURIComponent(body.code)}`;
    try {
      const e = em();
      const saved = await describeCode(e, body.code, body.text, request.user!.email, { cache });
      await e.flush();
      await appendAudit(e, { actor: request.user!.email, action: 'code.describe', details: { code: saved.code } });
      return redirectWith(request, reply, back, 'ok', `Plain-language description of ${saved.code} saved.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return redirectWith(request, reply, back, 'error', err.message);
    }
  });
}
