import type { EntityManager } from '@mikro-orm/core';
import { releaseKey, type ReleaseRow } from '../codes/releases.ts';
import { placeholders, query } from '../codes/sql.ts';
import { compact, pairKey, type CodeState, type EditState, type MueState, type ReleaseLookup } from './impact-core.ts';

type Row = Record<string, unknown>;

/** Before and after lookups for the facts cited, as the pure core reads them. */
export interface LookupPair {
  before: ReleaseLookup;
  after: ReleaseLookup;
}

const CHUNK = 400;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const none: ReleaseLookup = { edit: () => undefined, mue: () => undefined, code: () => undefined };

function inRelease(r: Row, key: number): boolean {
  return Number(r.from_key) <= key && (r.until_key == null || Number(r.until_key) > key);
}

/** The edit of a pair a release lists: the one not deleted first, then the latest effective date. */
function editIn(rows: Row[], key: number): EditState | null {
  const listed = rows.filter((r) => inRelease(r, key)).map((r) => ({
    column1: String(r.column1), column2: String(r.column2), modifierIndicator: String(r.modifier_indicator),
    effectiveDate: String(r.effective_date), deletionDate: (r.deletion_date as string | null) ?? null,
  }));
  listed.sort((p, q) => Number(p.deletionDate !== null) - Number(q.deletionDate !== null) || q.effectiveDate.localeCompare(p.effectiveDate));
  return listed[0] ?? null;
}

/**
 * NCCI: the pairs the new release changed are those with a stored version that starts or stops
 * at it (from_key or until_key equal to its key: no release sits between it and the one it
 * follows). Only the cited pairs among them are read in full, then judged at both keys.
 */
export async function ncciLookups(em: EntityManager, previous: ReleaseRow, release: ReleaseRow, cited: Set<string>): Promise<LookupPair> {
  if (cited.size === 0) return { before: none, after: none };
  const kr = releaseKey(release);
  const kp = releaseKey(previous);
  const changed = await query(em, 'select column1, column2 from ncci_edit where from_key = ? or until_key = ?', [kr, kr]);
  const candidates = [...new Set(changed.map((r) => pairKey(String(r.column1), String(r.column2))))].filter((k) => cited.has(k));
  const versions = new Map<string, Row[]>();
  for (const part of chunks(candidates, 200)) {
    const where = part.map(() => '(column1 = ? and column2 = ?) or (column1 = ? and column2 = ?)').join(' or ');
    const params = part.flatMap((k) => {
      const [x, y] = k.split('/');
      return [x, y, y, x];
    });
    for (const r of await query(em, `select column1, column2, effective_date, deletion_date, modifier_indicator, from_key, until_key from ncci_edit where ${where}`, params)) {
      const k = pairKey(String(r.column1), String(r.column2));
      versions.set(k, [...(versions.get(k) ?? []), r]);
    }
  }
  const at = (key: number): ReleaseLookup => ({
    ...none,
    edit: (a, b) => {
      const rows = versions.get(pairKey(a, b));
      return rows ? editIn(rows, key) : undefined;
    },
  });
  return { before: at(kp), after: at(kr) };
}

/** MUE: the limits of the cited codes in both releases (null: the release lists no limit). */
export async function mueLookups(em: EntityManager, previous: ReleaseRow, release: ReleaseRow, cited: Set<string>): Promise<LookupPair> {
  const limits = new Map<string, MueState>();
  for (const part of chunks([...cited])) {
    const rows = await query(em, `select release_id, code, value, adjudication_indicator from mue_limit where release_id in (?, ?) and code in (${placeholders(part.length)})`, [previous.id, release.id, ...part]);
    for (const r of rows) limits.set(`${Number(r.release_id)}:${String(r.code)}`, { value: Number(r.value), adjudicationIndicator: String(r.adjudication_indicator) });
  }
  const at = (id: number): ReleaseLookup => ({
    ...none,
    mue: (code) => (cited.has(compact(code)) ? (limits.get(`${id}:${compact(code)}`) ?? null) : undefined),
  });
  return { before: at(previous.id), after: at(release.id) };
}

/**
 * Codes (ICD-10-CM, ICD-10-PCS, HCPCS, CPT): the cited codes as each release lists them. A code
 * a codes-only ICD-10-CM file does not list, while it lists codes that begin with it, became a
 * header there (codes-only files carry no header rows).
 */
export async function codeLookups(em: EntityManager, previous: ReleaseRow, release: ReleaseRow, cited: Set<string>): Promise<LookupPair> {
  const entries = new Map<string, CodeState>();
  for (const part of chunks([...cited])) {
    const rows = await query(em, `select release_id, code, kind, long_description, valid_to from code_entry where release_id in (?, ?) and code in (${placeholders(part.length)})`, [previous.id, release.id, ...part]);
    for (const r of rows) {
      entries.set(`${Number(r.release_id)}:${String(r.code)}`, {
        status: r.kind === 'header' ? 'header' : 'valid', descriptor: String(r.long_description), endDate: (r.valid_to as string | null) ?? null,
      });
    }
  }
  for (const rel of [previous, release]) {
    if (rel.layout !== 'codes') continue;
    for (const code of cited) {
      if (entries.has(`${rel.id}:${code}`)) continue;
      const [child] = await query(em, 'select 1 as one from code_entry where release_id = ? and code like ? limit 1', [rel.id, `${code}_%`]);
      if (child) entries.set(`${rel.id}:${code}`, { status: 'header', descriptor: null, endDate: null });
    }
  }
  const absent: CodeState = { status: 'absent', descriptor: null, endDate: null };
  const at = (id: number): ReleaseLookup => ({
    ...none,
    code: (code) => (cited.has(compact(code)) ? (entries.get(`${id}:${compact(code)}`) ?? absent) : undefined),
  });
  return { before: at(previous.id), after: at(release.id) };
}
