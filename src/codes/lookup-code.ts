import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { cacheOf, remembered, type CodeCache } from './code-cache.ts';
import { closestInRelease, type ReleaseTable, type TableEntry } from './code-table.ts';
import { candidateSystems, compactCode, dayBefore, displayCode, isIsoDate, today } from './normalize.ts';
import { listedInEdits } from './ncci-mue.ts';
import { releaseInForce, releasesNewestFirst, toRef, type ReleaseRow } from './releases.ts';
import type { CodeLookup, CodeRef, ImportSystem, LookupSystem } from './types.ts';

/** At most this many children are listed for a header (childCount says how many there are). */
const MAX_CHILDREN = 100;

type EntryRow = TableEntry;

interface Ctx {
  em: EntityManager;
  cache: CodeCache;
  date: string;
  code: string;
  releases: ReleaseRow[];
  byId: Map<number, ReleaseRow>;
  /** In-memory tables of the releases loaded for this lookup, by release id. */
  tables: Map<number, ReleaseTable>;
  entries: EntryRow[];
}

/** The systems whose releases can hold a row for the code, given the systems its shape fits. */
function storedSystems(systems: Exclude<LookupSystem, 'unknown'>[]): Set<ImportSystem> {
  const out = new Set<ImportSystem>();
  for (const s of systems) {
    if (s === 'modifier') out.add('hcpcs').add('cpt');
    else out.add(s);
  }
  return out;
}

/**
 * A release's in-memory table, already loaded for this lookup: every release of the systems the
 * code may belong to is loaded before resolving, and children, end dates and derived headers
 * only look at releases of the same system.
 */
function tableOf(ctx: Ctx, release: ReleaseRow): ReleaseTable {
  const t = ctx.tables.get(release.id);
  if (!t) throw new Error(`release ${release.id} (${release.system}) was not loaded for this lookup`);
  return t;
}

/** Load the tables of every release of these systems into the context (at once when the process has them; else one query for all). */
function loadTables(ctx: Ctx, systems: Set<ImportSystem>): Promise<void> | undefined {
  if (!ctx.code) return undefined;
  const missing: ReleaseRow[] = [];
  for (const r of ctx.releases) {
    if (!systems.has(r.system) || ctx.tables.has(r.id)) continue;
    // The code's table holds the code itself and the codes under it: all a lookup reads.
    const ready = ctx.cache.tables.loaded(ctx.em, r, ctx.code);
    if (ready) ctx.tables.set(r.id, ready);
    else missing.push(r);
  }
  if (missing.length === 0) return undefined;
  return ctx.cache.tables.forCode(ctx.em, missing, ctx.code).then((tables) => {
    for (const [id, t] of tables) ctx.tables.set(id, t);
  });
}

/** Every release's row for the code (among the loaded systems), from memory. */
function entriesFor(ctx: Ctx): EntryRow[] {
  if (!ctx.code) return [];
  const entries: EntryRow[] = [];
  for (const r of ctx.releases) {
    const t = ctx.tables.get(r.id);
    if (!t) continue;
    const at = t.indexOf(ctx.code);
    if (at >= 0) entries.push(t.entry(at));
  }
  return entries;
}

/**
 * Look a code up as of a date (default today): which system it belongs to, its descriptors,
 * billable or header (a header lists its billable children), whether it is valid on that date,
 * and the release the answer came from. An unknown code comes back with the closest codes.
 *
 * Rules: the release in force on the date answers. A code absent from it but listed by an
 * earlier release is `ended` (end date: the day before the first later release without it, or
 * the file's own termination date for HCPCS); one listed only by a later release is
 * `not-yet-valid`. When the ICD-10-CM release in force is a codes-only file (no header rows),
 * a code that prefixes billable codes of that release is still reported as a header, with the
 * descriptor of the latest order file that listed it (`headerDerived: true`).
 * CPT without a CPT import: well-formed codes resolve as "CPT code, descriptor not licensed"
 * (`licensed: false`) with status `unchecked` (validity not checked: no CPT release loaded), and
 * `listedIn` telling whether NCCI/MUE releases in force list them.
 *
 * `cache` (see CodeCache) keeps the release list, tables and descriptions between calls; without
 * one the call reads what it needs from the database.
 */
export async function lookupCode(em: EntityManager, input: string, options: { date?: string; cache?: CodeCache } = {}): Promise<CodeLookup> {
  const cache = cacheOf(options);
  const date = options.date ?? today();
  if (!cache.dates.get(date)) {
    if (!isIsoDate(date)) throw new ValidationError(`"${date}" is not a date (YYYY-MM-DD)`);
    cache.dates.set(date, true);
  }
  const code = compactCode(input.replace(/^-/, ''));
  const systems = candidateSystems(input);
  // Once the cache holds the release list, the tables and the plain-language copy, nothing
  // here waits on the database (an unlicensed CPT code's NCCI/MUE listing aside).
  const releases = cache.releases.now(em) ?? (await cache.releases.load(em));
  const ctx: Ctx = { em, cache, date, code, releases, byId: cache.releases.byId(releases), tables: new Map(), entries: [] };
  const loading = loadTables(ctx, storedSystems(systems));
  if (loading) await loading;
  ctx.entries = entriesFor(ctx);
  const now = cache.plain.now(em, code);
  const plain = now === undefined ? await cache.plain.get(em, code) : (now ?? undefined);
  const found: Omit<CodeLookup, 'input'>[] = [];
  for (const system of systems) {
    const hit = system === 'cpt' ? await resolveCpt(ctx) : resolveIn(ctx, system);
    if (hit) found.push(hit);
  }
  const best = found.find((f) => f.licensed !== false) ?? found[0];
  if (!best) return { input, system: 'unknown', code: systems[0] ? displayCode(systems[0], code) : code, status: 'unknown', closest: await closestAnywhere(ctx, systems) };
  const result: CodeLookup = { input, ...best };
  if (plain) result.plainLanguage = plain;
  const others = found.filter((f) => f !== best && f.licensed !== false).map((f) => ({ system: f.system, code: f.code }));
  if (others.length) result.alsoMatches = others;
  return result;
}

/**
 * A CPT-shaped code. With a licensee's CPT file imported, the CPT releases answer like any
 * versioned system (a code they do not list is unknown). Without one, validity is not checked
 * (`unchecked`): the code is known by its form only, with `listedIn` telling whether the NCCI
 * and MUE releases in force list it; a deleted code such as 97001 must not read as valid.
 */
async function resolveCpt(ctx: Ctx): Promise<Omit<CodeLookup, 'input'> | undefined> {
  if (ctx.releases.some((r) => r.system === 'cpt')) {
    const cpt = resolveVersioned(ctx, 'cpt', 'code');
    return cpt ? { ...cpt, system: 'cpt', licensed: true } : undefined;
  }
  const listedIn = await listedInEdits(ctx.em, ctx.cache, ctx.releases, ctx.code, ctx.date);
  return { system: 'cpt', code: ctx.code, status: 'unchecked', shortDescription: 'CPT code, descriptor not licensed', licensed: false, ...(listedIn.length ? { listedIn } : {}) };
}

function resolveIn(ctx: Ctx, system: Exclude<LookupSystem, 'unknown' | 'cpt'>): Omit<CodeLookup, 'input'> | undefined {
  switch (system) {
    case 'modifier': {
      const hcpcs = resolveVersioned(ctx, 'hcpcs', 'modifier');
      if (hcpcs) return { ...hcpcs, system: 'modifier' };
      const cpt = resolveVersioned(ctx, 'cpt', 'modifier');
      if (cpt) return { ...cpt, system: 'modifier', licensed: true };
      if (/^\d{2}$/.test(ctx.code)) return { system: 'modifier', code: ctx.code, status: 'valid', shortDescription: 'CPT modifier', longDescription: 'CPT modifier', licensed: false };
      return undefined;
    }
    case 'hcpcs':
      return resolveVersioned(ctx, 'hcpcs', 'code');
    case 'icd10cm':
    case 'icd10pcs':
      return resolveVersioned(ctx, system);
  }
}

/** Resolve within one versioned system (see lookupCode for the rules). */
function resolveVersioned(ctx: Ctx, system: ImportSystem, kind?: string): Omit<CodeLookup, 'input'> | undefined {
  const ordered = releasesNewestFirst(ctx.releases, system);
  if (ordered.length === 0) return undefined;
  const inForce = releaseInForce(ctx.releases, system, ctx.date) ?? ordered[ordered.length - 1];
  const mine = ctx.entries.filter((e) => ctx.byId.get(e.releaseId)?.system === system && (!kind || e.kind === kind || (kind === 'code' && e.kind === 'header')));
  const current = mine.find((e) => e.releaseId === inForce.id);
  if (current) return describeEntry(ctx, system, current, inForce, ordered);
  if (system === 'icd10cm' && inForce.layout === 'codes' && kind === undefined) {
    const derived = derivedHeader(ctx, inForce, mine);
    if (derived) return derived;
  }
  const older = ordered.find((r) => r.effectiveDate <= inForce.effectiveDate && r.id !== inForce.id && mine.some((e) => e.releaseId === r.id));
  if (older) {
    const entry = mine.find((e) => e.releaseId === older.id)!;
    const base = describeEntry(ctx, system, entry, older, ordered);
    return { ...base, status: 'ended', endDate: base.endDate ?? dayBefore(inForce.effectiveDate) };
  }
  const later = [...ordered].reverse().find((r) => r.effectiveDate > ctx.date && mine.some((e) => e.releaseId === r.id));
  if (later) {
    const base = describeEntry(ctx, system, mine.find((e) => e.releaseId === later.id)!, later, ordered);
    return { ...base, status: base.status === 'valid' ? 'not-yet-valid' : base.status, startDate: base.startDate ?? later.effectiveDate };
  }
  return undefined;
}

function describeEntry(ctx: Ctx, system: ImportSystem, e: EntryRow, release: ReleaseRow, ordered: ReleaseRow[]): Omit<CodeLookup, 'input'> {
  const out: Omit<CodeLookup, 'input'> = {
    system: system === 'hcpcs' && e.kind === 'modifier' ? 'modifier' : (system as LookupSystem),
    code: displayCode(system as LookupSystem, e.code),
    status: 'valid',
    longDescription: e.longDescription,
    release: toRef(release),
  };
  if (e.shortDescription) out.shortDescription = e.shortDescription;
  if (e.consumerDescription) out.consumerDescription = e.consumerDescription;
  if (system === 'icd10cm' || system === 'icd10pcs') {
    out.billable = e.kind === 'code';
    out.header = e.kind === 'header';
  }
  if (e.validFrom) out.startDate = e.validFrom;
  if (e.validTo) out.endDate = e.validTo;
  if (e.validTo && e.validTo < ctx.date) out.status = 'ended';
  else if (e.validFrom && e.validFrom > ctx.date) out.status = 'not-yet-valid';
  // Before the first imported release: a file with per-code dates (HCPCS) still knows the code was in use.
  else if (release.effectiveDate > ctx.date && !(e.validFrom && e.validFrom <= ctx.date)) out.status = 'not-yet-valid';
  if (e.kind === 'header') Object.assign(out, childrenOf(ctx, release, e.code));
  if (!out.endDate) {
    const end = endFromLaterReleases(ctx, e, release, ordered);
    if (end) out.endDate = end;
  }
  return out;
}

function childrenOf(ctx: Ctx, release: ReleaseRow, code: string): { children: CodeRef[]; childCount: number } {
  const { refs, count } = tableOf(ctx, release).under(code, 'code', MAX_CHILDREN);
  return { children: refs.map((k) => ({ code: displayCode('icd10cm', k.code), description: k.description })), childCount: count };
}

/** The day before the first later release (by effective date) that no longer has the code. */
function endFromLaterReleases(ctx: Ctx, e: EntryRow, release: ReleaseRow, ordered: ReleaseRow[]): string | undefined {
  const later = ordered.filter((r) => r.effectiveDate > release.effectiveDate).reverse();
  for (const r of later) {
    if (ctx.entries.some((x) => x.releaseId === r.id && x.code === e.code)) continue;
    // A header is not listed by a codes-only file, yet lives on while it has billable children.
    if (e.kind === 'header' && r.layout === 'codes' && tableOf(ctx, r).hasUnder(e.code, 'code')) continue;
    return dayBefore(r.effectiveDate);
  }
  return undefined;
}

function derivedHeader(ctx: Ctx, inForce: ReleaseRow, mine: EntryRow[]): Omit<CodeLookup, 'input'> | undefined {
  const { children, childCount } = childrenOf(ctx, inForce, ctx.code);
  if (childCount === 0) return undefined;
  // Prefer the newest header row; else the newest row at all (a code that was billable and
  // became a category, as B88.0 did in FY2026, keeps its last descriptor).
  const newest = releasesNewestFirst(ctx.releases, 'icd10cm');
  const described =
    newest.map((r) => mine.find((e) => e.releaseId === r.id && e.kind === 'header')).find(Boolean) ??
    newest.map((r) => mine.find((e) => e.releaseId === r.id)).find(Boolean);
  return {
    system: 'icd10cm', code: displayCode('icd10cm', ctx.code), status: 'valid',
    shortDescription: described?.shortDescription ?? undefined,
    longDescription: described?.longDescription ?? `Category of ${childCount} billable codes (no descriptor in the imported releases)`,
    billable: false, header: true, headerDerived: true, children, childCount, release: toRef(inForce),
  };
}

async function closestAnywhere(ctx: Ctx, systems: LookupSystem[]): Promise<CodeRef[]> {
  const order: ImportSystem[] = systems.includes('icd10cm') ? ['icd10cm', 'hcpcs', 'icd10pcs'] : systems.includes('icd10pcs') ? ['icd10pcs', 'icd10cm'] : ['hcpcs', 'cpt', 'icd10cm', 'icd10pcs'];
  for (const system of order) {
    const r = releaseInForce(ctx.releases, system, ctx.date) ?? releasesNewestFirst(ctx.releases, system)[0];
    if (!r || !ctx.code) continue;
    // Remembered per release (releases never change once imported).
    const near = await remembered(ctx.em, ctx.cache, `closest:${r.id}:${r.checksum}:${ctx.code}`, () => closestInRelease(ctx.em, r, ctx.code));
    if (near.length) return near.map((n) => ({ code: displayCode(system as LookupSystem, n.code), description: n.description }));
  }
  return [];
}

