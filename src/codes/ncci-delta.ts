import type { NcciRowSet } from './ncci-rows.ts';

/**
 * What importing one NCCI release M changes in the stored rows. Each stored row is one version
 * of an edit, valid from one release (from_key) up to, not including, a later one (until_key,
 * null while the newest release still lists it). M sits between P, the release just before it
 * in its chain, and N, the one just after (usually none: the new quarter is the newest).
 *
 * - `insert`: rows of M no stored version covers, stored valid from M up to N.
 * - `close`: stored versions that M no longer lists (or lists otherwise): valid until M.
 * - `copies`: closed versions that N still lists: a copy valid from N carries them on.
 * - `extend`: versions first listed by N that M already lists: valid from M.
 * - `added`, `changed`, `ended`: M against P, per (column 1, column 2, effective date).
 */
export interface NcciDelta {
  insert: number[];
  close: number[];
  copies: number[];
  extend: number[];
  added: number;
  changed: number;
  ended: number;
}

interface Cursor {
  set: NcciRowSet;
  at: number;
}

function head(c: Cursor | null): number | null {
  return c && c.at < c.set.length ? c.at : null;
}

/** The cursor whose current row has the smallest key. */
function smallest(cursors: (Cursor | null)[]): Cursor | null {
  let best: Cursor | null = null;
  for (const c of cursors) {
    if (head(c) === null) continue;
    if (!best || c!.set.compareKey(c!.at, best.set, best.at) < 0) best = c;
  }
  return best;
}

/** The current position of a cursor if its row has the key of `lead`'s, advancing it. */
function take(c: Cursor | null, lead: Cursor, leadAt: number): number | null {
  const at = head(c);
  if (at === null || c!.set.compareKey(at, lead.set, leadAt) !== 0) return null;
  c!.at += 1;
  return at;
}

/**
 * Compare M (the new release) with the versions valid at P and at N, all in key order with one
 * row per key (see oneRowPerKey), in one merge pass.
 */
export function ncciDelta(m: NcciRowSet, p: NcciRowSet | null, n: NcciRowSet | null): NcciDelta {
  const delta: NcciDelta = { insert: [], close: [], copies: [], extend: [], added: 0, changed: 0, ended: 0 };
  const cm: Cursor = { set: m, at: 0 };
  const cp: Cursor | null = p ? { set: p, at: 0 } : null;
  const cn: Cursor | null = n ? { set: n, at: 0 } : null;
  for (let lead = smallest([cm, cp, cn]); lead; lead = smallest([cm, cp, cn])) {
    const leadAt = lead.at;
    const i = take(cm, lead, leadAt);
    const j = take(cp, lead, leadAt);
    const k = take(cn, lead, leadAt);
    step(delta, m, p, n, i, j, k);
  }
  return delta;
}

/** One key: M's row i, P's version j, N's version k (each null when absent). */
function step(d: NcciDelta, m: NcciRowSet, p: NcciRowSet | null, n: NcciRowSet | null, i: number | null, j: number | null, k: number | null): void {
  if (j !== null && i === null) d.ended += 1;
  else if (j === null && i !== null) d.added += 1;
  else if (j !== null && i !== null && !m.sameContent(i, p!, j)) d.changed += 1;

  const spans = j !== null && k !== null && p!.id[j] === n!.id[k];
  const keepsP = j !== null && i !== null && m.sameContent(i, p!, j);
  if (j !== null && !keepsP) {
    d.close.push(p!.id[j]);
    if (spans) d.copies.push(j);
  }
  if (i === null || keepsP) return;
  if (k !== null && !spans && m.sameContent(i, n!, k)) d.extend.push(n!.id[k]);
  else d.insert.push(i);
}
