import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeCache, describeCode, findMue, findNcciEdit, lookupCode, searchCodes } from '../../codes/index.ts';
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

/** Case2Code: search and look up codes, edit the plain-language description, check an NCCI pair. */
export async function registerCodeRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const em = () => ctx.deps.orm.em.fork();
  // The code pages own one code cache (release tables, search index) for the life of the server.
  const cache = new CodeCache();

  app.get('/codes', async (request, reply) => {
    const q = parseInput(codesQuery, request.query);
    let lookup = null;
    let hits: unknown[] = [];
    let error: string | null = null;
    try {
      if (q.q && looksLikeCode(q.q)) {
        const found = await lookupCode(em(), q.q, { date: q.date, cache });
        const mue = found.status !== 'unknown' && (found.system === 'cpt' || found.system === 'hcpcs') ? await findMue(em(), found.code, { date: q.date, cache }) : null;
        lookup = {
          code: found.code, system: found.system, status: found.status, short: found.shortDescription ?? null, long: found.longDescription ?? null,
          plainLanguage: found.plainLanguage ?? null, billable: found.billable === undefined ? null : found.billable, header: found.header === true,
          children: (found.children ?? []).slice(0, 50), childCount: found.childCount ?? 0, endDate: found.endDate ?? null,
          release: found.release ? `${found.release.system} ${found.release.version} (from ${found.release.effectiveDate})` : null,
          closest: found.closest ?? [], licensed: found.licensed !== false, mue: mue ? `MUE ${mue.value} (indicator ${mue.adjudicationIndicator}: ${mue.adjudicationMeaning})` : null,
        };
      }
      if (q.q) hits = await searchCodes(em(), q.q, { limit: 25, cache });
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
        const edit = await findNcciEdit(em(), q.a, q.b, { date: q.date, cache });
        ncci = edit
          ? { found: true, text: `${edit.column1} (column 1) / ${edit.column2} (column 2): ${edit.active ? 'in force' : 'not in force'} on the date; modifier indicator ${edit.modifierIndicator}: ${edit.meaning}`, rationale: edit.rationale, release: `${edit.release.version} (from ${edit.release.effectiveDate})`, effective: edit.effectiveDate, deleted: edit.deletionDate }
          : { found: false, text: `No NCCI PTP edit between ${q.a.toUpperCase()} and ${q.b.toUpperCase()} in the release in force (or no NCCI release is imported).`, rationale: null, release: null, effective: null, deleted: null };
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
