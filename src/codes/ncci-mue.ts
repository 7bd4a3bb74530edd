import type { EntityManager } from '@mikro-orm/core';
import { ValidationError } from '../shared/errors.ts';
import { cacheOf, remembered, type CodeCache } from './code-cache.ts';
import { compactCode, isIsoDate, today } from './normalize.ts';
import { ncciChain, releaseInForce, releaseKey, toRef, type ReleaseRow } from './releases.ts';
import { query } from './sql.ts';
import type { MueLimit, NcciEdit } from './types.ts';

/** What an NCCI PTP modifier indicator means for the coder. */
export const MODIFIER_INDICATOR_MEANING: Record<'0' | '1' | '9', string> = {
  '0': 'Modifier not allowed: no modifier bypasses this edit; the column 2 code is not paid with the column 1 code for the same patient on the same day.',
  '1': 'Modifier allowed: an NCCI-associated modifier (for example 59, XE, XS, XP, XU, or an anatomic modifier) may bypass the edit when the services are separate and distinct and the record supports it.',
  '9': 'Not applicable: the edit was deleted, so the modifier indicator does not apply.',
};

/** What an MUE adjudication indicator means. */
export const MUE_ADJUDICATION_MEANING: Record<string, string> = {
  '1': 'Line edit: the limit applies to each claim line; units above it on a line are denied, and other lines may be billed with modifiers where appropriate.',
  '2': 'Date of service edit, policy: an absolute limit per day based on policy or regulation; units above it are not paid, even on appeal.',
  '3': 'Date of service edit, clinical: a limit per day based on clinical benchmarks; units above it may be paid on appeal with documentation of medical necessity.',
};

/** Options of the NCCI and MUE lookups. */
export interface EditLookupOptions {
  /** Date of service, YYYY-MM-DD (default today): the release in force on it answers. */
  date?: string;
  /**
   * Answer from this release (by id) instead of the one in force on the date: what a release
   * said, for comparing one release with the next. `active` is then judged on `date`, or on the
   * release's effective date when no date is given.
   */
  releaseId?: number;
  cache?: CodeCache;
}

function checkDate(date: string): string {
  if (!isIsoDate(date)) throw new ValidationError(`"${date}" is not a date (YYYY-MM-DD)`);
  return date;
}

/** The release an edit lookup answers from, and the date `active` is judged on. */
async function editRelease(em: EntityManager, cache: CodeCache, system: 'ncci' | 'mue', options: EditLookupOptions): Promise<{ release?: ReleaseRow; date: string; releases: ReleaseRow[] }> {
  const releases = cache.releases.now(em) ?? (await cache.releases.load(em));
  if (options.releaseId !== undefined) {
    const release = releases.find((r) => r.id === options.releaseId && r.system === system);
    if (!release) throw new ValidationError(`no ${system} release ${options.releaseId}`);
    return { release, date: checkDate(options.date ?? release.effectiveDate), releases };
  }
  const date = checkDate(options.date ?? today());
  return { release: releaseInForce(releases, system, date), date, releases };
}

const NCCI_COLUMNS = 'column1, column2, prior_to1996, effective_date, deletion_date, modifier_indicator, rationale, from_key, until_key';
const PAIR_SQL = `select ${NCCI_COLUMNS} from ncci_edit where column1 in (?, ?) and column2 in (?, ?)`;
const IN_RELEASE = 'from_key <= ? and (until_key is null or until_key > ?)';

/**
 * Every stored version of a pair, in either order: from the process's pair index when the cache
 * keeps one and it is built for the releases stored now, else one index scan in the database
 * (the pair's few versions across all releases, remembered). Which of them a release lists is
 * decided by the caller, from the keys, so one read answers the pair for every release:
 * comparing releases costs no more round trips.
 */
async function pairVersions(em: EntityManager, cache: CodeCache, releases: ReleaseRow[], x: string, y: string): Promise<Record<string, unknown>[]> {
  const chain = ncciChain(releases);
  const index = cache.pairs?.get(em, chain);
  if (index) return index.versions(x, y);
  return remembered(em, cache, `ncci:${chain}:${x}:${y}`, () => query(em, PAIR_SQL, [x, y, x, y]));
}

function inRelease(r: Record<string, unknown>, key: number): boolean {
  return Number(r.from_key) <= key && (r.until_key == null || Number(r.until_key) > key);
}

/**
 * The NCCI PTP edit between two codes, in either order, from the NCCI release in force on the
 * date (default today), or from the release asked for; null when that release has no edit for
 * the pair (or no NCCI release is in force). When the pair is listed more than once (deleted
 * and re-added), the row active on the date wins, else the most recent. `active` says whether
 * the edit applies on the date: effective on or before it and not deleted (the deletion date is
 * the first day it no longer applies). A cache remembers answers per release (releases never
 * change once imported), so a repeated pair costs no round trip.
 */
export async function findNcciEdit(em: EntityManager, a: string, b: string, options: EditLookupOptions = {}): Promise<NcciEdit | null> {
  const cache = cacheOf(options);
  const { release, date, releases } = await editRelease(em, cache, 'ncci', options);
  if (!release) return null;
  const [x, y] = [compactCode(a), compactCode(b)].sort();
  if (x === y) return null;
  const key = releaseKey(release);
  const rows = (await pairVersions(em, cache, releases, x, y)).filter((r) => inRelease(r, key));
  if (rows.length === 0) return null;
  const edits = rows.map((r) => {
    const deletionDate = (r.deletion_date as string | null) ?? null;
    const effectiveDate = String(r.effective_date);
    const modifierIndicator = String(r.modifier_indicator) as NcciEdit['modifierIndicator'];
    return {
      column1: String(r.column1), column2: String(r.column2), priorTo1996: r.prior_to1996 === true || r.prior_to1996 === 1,
      effectiveDate, deletionDate, active: effectiveDate <= date && (deletionDate === null || date < deletionDate),
      modifierIndicator, meaning: MODIFIER_INDICATOR_MEANING[modifierIndicator] ?? `Unknown modifier indicator ${modifierIndicator}`,
      rationale: String(r.rationale), release: toRef(release),
    } satisfies NcciEdit;
  });
  edits.sort((p, q) => Number(q.active) - Number(p.active) || q.effectiveDate.localeCompare(p.effectiveDate));
  return edits[0];
}

/** The MUE practitioner limit of a code from the MUE release in force on the date (or the release asked for); null when none. */
export async function findMue(em: EntityManager, code: string, options: EditLookupOptions = {}): Promise<MueLimit | null> {
  const cache = cacheOf(options);
  const { release } = await editRelease(em, cache, 'mue', options);
  if (!release) return null;
  const c = compactCode(code);
  const rows = await remembered(em, cache, `mue:${release.id}:${release.checksum}:${c}`, () =>
    query(em, 'select code, value, adjudication_indicator, rationale from mue_limit where release_id = ? and code = ?', [release.id, c]));
  const r = rows[0];
  if (!r) return null;
  const ind = String(r.adjudication_indicator);
  return {
    code: c, value: Number(r.value), adjudicationIndicator: ind,
    adjudicationMeaning: MUE_ADJUDICATION_MEANING[ind] ?? `Unknown adjudication indicator ${ind}`,
    rationale: String(r.rationale), release: toRef(release),
  };
}

/**
 * Whether the NCCI and MUE releases in force on the date list a code (one indexed round trip
 * the first time a cache asks about the code for that pair of releases; remembered after that).
 */
export async function listedInEdits(em: EntityManager, cache: CodeCache, releases: ReleaseRow[], code: string, date: string): Promise<('ncci' | 'mue')[]> {
  const ncci = releaseInForce(releases, 'ncci', date);
  const mue = releaseInForce(releases, 'mue', date);
  if (!ncci && !mue) return [];
  const k = ncci ? releaseKey(ncci) : -1;
  const key = `listed:${ncci?.id}:${ncci?.checksum}:${mue?.id}:${mue?.checksum}:${code}`;
  const out = await remembered(em, cache, key, async () => {
    const [r] = await query(
      em,
      `select (select 1 from ncci_edit where column1 = ? and ${IN_RELEASE} limit 1) as n1,
              (select 1 from ncci_edit where column2 = ? and ${IN_RELEASE} limit 1) as n2,
              (select 1 from mue_limit where release_id = ? and code = ? limit 1) as m`,
      [code, k, k, code, k, k, mue?.id ?? -1, code],
    );
    const found: ('ncci' | 'mue')[] = [];
    if (r?.n1 != null || r?.n2 != null) found.push('ncci');
    if (r?.m != null) found.push('mue');
    return found;
  });
  return [...out];
}
