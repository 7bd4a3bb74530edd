/**
 * The impact of a code-set release on one sent answer, pure: which of the facts the answer cited
 * (NCCI pairs, MUE limits, codes) read differently in the new release than in the release it
 * follows. The database side (impact-store.ts) builds the lookups; this core only compares.
 */

/** The kinds of system a release belongs to, as far as the impact is concerned. */
export type ImpactSystem = 'ncci' | 'mue' | 'codes';

/** The facts an answer cited (read from its draft's stored evidence, see citedFacts). */
export interface CitedFacts {
  /** Codes with the system label the evidence gave them (`ICD-10-CM`, `HCPCS`, `CPT`, `ICD-10-PCS`). */
  codes: { code: string; systemLabel: string }[];
  /** Procedure-code pairs checked for an NCCI PTP edit, in order of mention. */
  pairs: [string, string][];
  /** Codes whose MUE limit was cited. */
  mue: string[];
}

/** An NCCI PTP edit of a pair as one release lists it (null in a lookup: no edit). */
export interface EditState {
  column1: string;
  column2: string;
  modifierIndicator: string;
  effectiveDate: string;
  deletionDate: string | null;
}

export interface MueState {
  value: number;
  adjudicationIndicator: string;
}

/** A code as one release lists it: `absent` when the release does not list it at all. */
export interface CodeState {
  status: 'valid' | 'header' | 'absent';
  descriptor: string | null;
  /** Last day of validity a release gives (HCPCS termination date), else null. */
  endDate: string | null;
}

/**
 * What one release says about the facts asked. `undefined` means "not changed by this release,
 * not looked up" (the store only looks up facts the release could have changed); null means
 * "the release has no edit / no limit".
 */
export interface ReleaseLookup {
  edit(a: string, b: string): EditState | null | undefined;
  mue(code: string): MueState | null | undefined;
  code(code: string, systemLabel: string): CodeState | undefined;
}

export type ChangeKind =
  | 'edit-added' | 'edit-removed' | 'edit-deleted' | 'indicator-changed'
  | 'mue-value-changed' | 'mue-indicator-changed'
  | 'code-ended' | 'code-became-header' | 'descriptor-changed';

/** One affected fact with what the release before said and what the new one says. */
export interface AffectedFact {
  kind: 'pair' | 'mue' | 'code';
  /** `97530/97140`, `97110`, `E11.9`. */
  fact: string;
  changes: ChangeKind[];
  before: EditState | MueState | CodeState | null;
  after: EditState | MueState | CodeState | null;
}

/** Codes compared without dots, spaces or case. */
export function compact(code: string): string {
  return code.replace(/[.\s]/g, '').toUpperCase();
}

/** Unordered pair key: `A/B` with A < B. */
export function pairKey(a: string, b: string): string {
  const [x, y] = [compact(a), compact(b)].sort();
  return `${x}/${y}`;
}

function editChanges(before: EditState | null, after: EditState | null): ChangeKind[] {
  if (!before && !after) return [];
  if (!before) return ['edit-added'];
  if (!after) return ['edit-removed'];
  const out: ChangeKind[] = [];
  if (before.deletionDate === null && after.deletionDate !== null) out.push('edit-deleted');
  if (before.modifierIndicator !== after.modifierIndicator) out.push('indicator-changed');
  return out;
}

function mueChanges(before: MueState | null, after: MueState | null): ChangeKind[] {
  if (!before && !after) return [];
  if (!before || !after) return ['mue-value-changed'];
  const out: ChangeKind[] = [];
  if (before.value !== after.value) out.push('mue-value-changed');
  if (before.adjudicationIndicator !== after.adjudicationIndicator) out.push('mue-indicator-changed');
  return out;
}

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

function codeChanges(before: CodeState, after: CodeState): ChangeKind[] {
  if (before.status === 'absent') return [];
  if (after.status === 'absent') return before.status === 'valid' ? ['code-ended'] : [];
  const out: ChangeKind[] = [];
  if (before.status === 'valid' && after.status === 'header') out.push('code-became-header');
  else if (after.endDate !== null && after.endDate !== before.endDate) out.push('code-ended');
  if (after.descriptor !== null && before.descriptor !== null && squash(before.descriptor) !== squash(after.descriptor)) out.push('descriptor-changed');
  return out;
}

/**
 * The facts of one answer that a release changed, for a release of `system`, comparing what the
 * release before said (`before`) with what the new one says (`after`). Each fact is compared
 * once (a pair cited twice, in either order, is one fact). Empty when nothing changed.
 */
export function affectedFacts(facts: CitedFacts, system: ImpactSystem, before: ReleaseLookup, after: ReleaseLookup): AffectedFact[] {
  const out: AffectedFact[] = [];
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key));
  if (system === 'ncci') {
    for (const [a, b] of facts.pairs) {
      const key = pairKey(a, b);
      if (!once(key)) continue;
      const [x, y] = key.split('/');
      const pb = before.edit(x, y);
      const pa = after.edit(x, y);
      if (pb === undefined || pa === undefined) continue;
      const changes = editChanges(pb, pa);
      if (changes.length) out.push({ kind: 'pair', fact: `${compact(a)}/${compact(b)}`, changes, before: pb, after: pa });
    }
  } else if (system === 'mue') {
    for (const code of facts.mue) {
      const c = compact(code);
      if (!once(c)) continue;
      const mb = before.mue(c);
      const ma = after.mue(c);
      if (mb === undefined || ma === undefined) continue;
      const changes = mueChanges(mb, ma);
      if (changes.length) out.push({ kind: 'mue', fact: c, changes, before: mb, after: ma });
    }
  } else {
    for (const { code, systemLabel } of facts.codes) {
      if (!once(`${systemLabel}:${compact(code)}`)) continue;
      const cb = before.code(code, systemLabel);
      const ca = after.code(code, systemLabel);
      if (!cb || !ca) continue;
      const changes = codeChanges(cb, ca);
      if (changes.length) out.push({ kind: 'code', fact: code, changes, before: cb, after: ca });
    }
  }
  return out;
}

/**
 * The cited facts of a stored evidence (the draft's `evidence` column, see src/drafts/evidence.ts):
 * codes that were found in a code set, the pairs checked, the MUE limits cited. Anything else in
 * the JSON is ignored; a malformed evidence gives no facts rather than an error.
 */
export function citedFacts(evidence: unknown): CitedFacts {
  const e = (evidence ?? {}) as { codes?: unknown; pairs?: unknown; mue?: unknown };
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
  const codes = list(e.codes)
    .filter((c) => typeof c.code === 'string' && typeof c.systemLabel === 'string' && c.status !== 'unknown')
    .map((c) => ({ code: c.code as string, systemLabel: c.systemLabel as string }));
  const pairs = list(e.pairs)
    .filter((p) => Array.isArray(p.codes) && p.codes.length === 2 && p.checked !== false)
    .map((p) => [String((p.codes as unknown[])[0]), String((p.codes as unknown[])[1])] as [string, string]);
  const mue = list(e.mue).filter((m) => typeof m.code === 'string' && m.checked !== false).map((m) => m.code as string);
  return { codes, pairs, mue };
}

/** Plain words for one change (the consultant page and the follow-up text). */
export function describeChange(f: AffectedFact, change: ChangeKind): string {
  const b = f.before as Record<string, unknown> | null;
  const a = f.after as Record<string, unknown> | null;
  switch (change) {
    case 'edit-added': return `${f.fact}: a new NCCI PTP edit (column 1 ${a?.column1}, column 2 ${a?.column2}, modifier indicator ${a?.modifierIndicator})`;
    case 'edit-removed': return `${f.fact}: the NCCI PTP edit is no longer listed`;
    case 'edit-deleted': return `${f.fact}: the NCCI PTP edit is deleted as of ${a?.deletionDate}`;
    case 'indicator-changed': return `${f.fact}: the modifier indicator changed from ${b?.modifierIndicator} to ${a?.modifierIndicator}`;
    case 'mue-value-changed': return `${f.fact}: the MUE changed from ${b?.value ?? 'none'} to ${a?.value ?? 'none'} units`;
    case 'mue-indicator-changed': return `${f.fact}: the MUE adjudication indicator changed from ${b?.adjudicationIndicator} to ${a?.adjudicationIndicator}`;
    case 'code-ended': return `${f.fact}: the code is no longer valid${a?.endDate ? ` after ${a.endDate}` : ''}`;
    case 'code-became-header': return `${f.fact}: the code is now a header (not billable); a more specific code is required`;
    case 'descriptor-changed': return `${f.fact}: the descriptor changed from "${b?.descriptor}" to "${a?.descriptor}"`;
  }
}
