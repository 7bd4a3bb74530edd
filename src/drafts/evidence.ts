import type { ExtractedCodes as ExtractorOutput } from '../codes/extract/types.ts';
import type { CodeFacts, CodeLookup, CodeRef, CodeRelease, DateLike, ExtractedKind, LookupStatus, MueLimit, NcciEdit } from './code-facts.ts';

/** The extracted codes of one question (see EXTRACTION.md): the extractor's five lists, without positions. */
export type ExtractedCodes = Omit<ExtractorOutput, 'hits'>;

export interface DateOfService {
  /** `YYYY-MM-DD`. */
  date: string;
  /**
   * `email`: written in the message; `case`: written in an earlier question of the same case (a
   * follow-up inherits the case's date of service); `received`: the date the message arrived.
   */
  source: 'email' | 'case' | 'received';
  /** The words the date was read from (`DOS 01/15/2025`), when it came from the email. */
  written?: string | null;
}

export interface EvidenceInput {
  codes: ExtractedCodes;
  /** Units written per procedure code (`97110 x3` → `{ '97110': 3 }`). */
  units?: Record<string, number>;
  dateOfService: DateOfService;
}

export interface CodeEvidence {
  /** As extracted. */
  input: string;
  /** Normal form from the code database (dotted for ICD-10-CM). */
  code: string;
  extractedAs: Exclude<ExtractedKind, 'modifier'>;
  /** `ICD-10-CM`, `ICD-10-PCS`, `HCPCS`, `CPT`. */
  systemLabel: string;
  status: LookupStatus;
  /** `valid on 2025-01-15`, `ended 2024-09-30`, `unknown`. */
  statusLabel: string;
  /** Official descriptor, `CPT descriptor not licensed`, or null when the code is unknown. */
  descriptor: string | null;
  /** True when `descriptor` is licensed AMA CPT text (the reply then carries the AMA notice). */
  cptText: boolean;
  plainLanguage: string | null;
  /** True billable, false not billable (a header), null when the code set does not say. */
  billable: boolean | null;
  header: boolean;
  /** Billable children of a header code (the code database may cap the list: see childCount). */
  children: CodeRef[];
  /** How many billable children there are (>= children.length). */
  childCount: number;
  /** childCount - children.length: billable children the code database did not list. */
  childrenNotShown: number;
  endDate: string | null;
  /** Nearest known codes, for an unknown code. */
  closest: CodeRef[];
  /** What needs a coder's attention, in plain words; empty when nothing does. */
  problems: string[];
  /** An unchecked CPT code (no CPT release loaded): the NCCI PTP / MUE releases in force that list it. */
  listedIn: ('ncci' | 'mue')[];
}

export interface PairEvidence {
  /** The two codes in order of mention. */
  codes: [string, string];
  edit: {
    column1: string;
    column2: string;
    modifierIndicator: '0' | '1' | '9';
    effectiveDate: string;
    deletionDate: string | null;
    /** False when the release lists the edit but it does not apply on the date of service. */
    inForce: boolean;
    rationale: string | null;
  } | null;
  /** One sentence: the edit and what its modifier indicator means for this pair, or that there is none. */
  summary: string;
  /** Bypass modifiers (59, X{EPSU}, anatomic) that the question mentions, for an edit that has one. */
  modifiersMentioned: string[];
  /** False when no NCCI PTP release is in force on the date: the pair was not checked at all. */
  checked: boolean;
}

export interface MueEvidence {
  code: string;
  value: number | null;
  adjudicationIndicator: string | null;
  adjudicationMeaning: string | null;
  rationale: string | null;
  unitsWritten: number | null;
  exceeded: boolean;
  /** False when no MUE release is in force on the date: the limit was not checked at all. */
  checked: boolean;
  summary: string;
}

export interface ModifierEvidence {
  modifier: string;
  /** CPT modifiers are two digits; HCPCS Level II modifiers contain a letter. */
  kind: 'cpt' | 'hcpcs';
  description: string;
  cptText: boolean;
  problems: string[];
}

export interface ReleaseEvidence {
  system: string;
  version: string;
  effectiveDate: string;
  label: string;
}

/** What a draft was built from; plain JSON, stored in the draft's `evidence` column. */
export interface Evidence {
  schemaVersion: 1;
  dateOfService: DateOfService & { written: string | null; label: string };
  codes: CodeEvidence[];
  pairs: PairEvidence[];
  mue: MueEvidence[];
  modifiers: ModifierEvidence[];
  releases: ReleaseEvidence[];
  /** `ICD-10-CM FY2025`, `HCPCS 2025-01`, `NCCI PTP 2025-Q1`: stamped on the draft and the answer. */
  versions: string[];
  /** True when licensed CPT text appears: the reply must carry the AMA notice. */
  containsCptText: boolean;
  /** Codes the code database does not know; the review page refuses approval while any remain. */
  unresolved: string[];
}

const SYSTEM_LABELS: Record<string, string> = {
  icd10cm: 'ICD-10-CM', 'icd-10-cm': 'ICD-10-CM', icd10pcs: 'ICD-10-PCS', 'icd-10-pcs': 'ICD-10-PCS',
  hcpcs: 'HCPCS', cpt: 'CPT', ncci: 'NCCI PTP', 'ncci-ptp': 'NCCI PTP', ncci_ptp: 'NCCI PTP', ptp: 'NCCI PTP',
  mue: 'MUE', modifier: 'Modifiers',
};
const SYSTEM_ORDER = ['ICD-10-CM', 'ICD-10-PCS', 'HCPCS', 'CPT', 'NCCI PTP', 'MUE'];

/** Human label of a code system key (`icd10cm` → `ICD-10-CM`); unknown keys are upper-cased. */
export function systemLabel(system: string): string {
  return SYSTEM_LABELS[system.toLowerCase()] ?? system.toUpperCase();
}

/** `ICD-10-CM FY2025` from a release; a version that already names its system is kept as is. */
export function releaseLabel(release: CodeRelease): string {
  const label = systemLabel(release.system);
  return release.version.toUpperCase().startsWith(label.toUpperCase()) ? release.version : `${label} ${release.version}`;
}

/** `YYYY-MM-DD` of a date-like value (a `Date` is read in UTC). */
export function isoDate(value: DateLike): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
}

const INDICATOR_TEXT: Record<'0' | '1' | '9', (c1: string, c2: string) => string> = {
  '0': (c1, c2) => `modifier indicator 0: no modifier bypasses this edit; ${c2} is not separately payable with ${c1} for the same patient, provider and date of service.`,
  '1': (c1, c2) => `modifier indicator 1: a modifier (59, XE, XS, XP, XU, or an anatomic modifier such as LT/RT, F1-F9, TA-T9) may bypass this edit, but only when the documentation supports a distinct service; otherwise ${c2} is not separately payable with ${c1}.`,
  '9': () => 'modifier indicator 9: not applicable; this edit does not restrict the pair.',
};

/** Modifiers that may bypass a PTP edit with indicator 1 (NCCI Policy Manual, ch. I). */
const BYPASS_MODIFIERS = new Set([
  '59', 'XE', 'XS', 'XP', 'XU', 'LT', 'RT', 'E1', 'E2', 'E3', 'E4', 'FA', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9',
  'TA', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'LC', 'LD', 'RC', 'LM', 'RI', '24', '25', '57', '58', '78', '79', '27', '91',
]);

/** CMS MUE adjudication indicators, used when the code database gives no wording of its own. */
const MUE_MAI: Record<string, string> = {
  '1': 'line edit: units above the MUE on one claim line are denied',
  '2': 'date of service edit (policy): units above the MUE per day are denied, no appeal on medical necessity',
  '3': 'date of service edit (clinical): units above the MUE per day are denied unless documentation supports them on appeal',
};

/**
 * Build the evidence of one question: every extracted code looked up as of the date of service,
 * NCCI PTP edits between every unordered pair of procedure codes (CPT and HCPCS), MUE limits
 * against the units written, modifier descriptions and the releases in force. The result is plain
 * JSON, so the review page and the audit log show exactly what a draft was built from.
 *
 * Validity is the code database's word: this core adds no clinical rules. A header is flagged
 * from the lookup's own billable/children data; a missing 7th character from a header whose
 * children differ only in the 7th character, a wrong one from the 6-character parent's children.
 */
export async function buildEvidence(facts: CodeFacts, input: EvidenceInput): Promise<Evidence> {
  const date = input.dateOfService.date;
  const kinds: Exclude<ExtractedKind, 'modifier'>[] = ['cpt', 'hcpcs', 'icd10cm', 'icd10pcs'];
  const releases = new Map<string, ReleaseEvidence>();
  const addRelease = (r: CodeRelease | null | undefined): void => {
    if (!r) return;
    const label = releaseLabel(r);
    if (!releases.has(label)) releases.set(label, { system: r.system, version: r.version, effectiveDate: isoDate(r.effectiveDate), label });
  };
  const inForce = await facts.releasesInForce(date);
  for (const r of inForce) addRelease(r);
  // Without a release of its own, "no edit" would be a false all-clear: say "not checked" instead.
  const hasNcci = inForce.some((r) => systemLabel(r.system) === 'NCCI PTP');
  const hasMue = inForce.some((r) => systemLabel(r.system) === 'MUE');

  const codes: CodeEvidence[] = [];
  for (const kind of kinds) {
    for (const code of unique(input.codes[kind])) {
      const found = await facts.lookupCode(code, { date, kind });
      addRelease(found.release);
      codes.push(await codeEvidence(facts, kind, found, date));
    }
  }

  const modifiers: ModifierEvidence[] = [];
  for (const mod of unique(input.codes.modifiers)) {
    const found = await facts.lookupCode(mod, { date, kind: 'modifier' });
    addRelease(found.release);
    modifiers.push(modifierEvidence(mod, found));
  }

  const procedures = unique([...input.codes.cpt, ...input.codes.hcpcs]);
  const mentioned = new Set(modifiers.map((m) => m.modifier));
  const found: { codes: [string, string]; edit: NcciEdit | null }[] = [];
  for (let i = 0; i < procedures.length; i++) {
    for (let j = i + 1; j < procedures.length; j++) {
      const [a, b] = [procedures[i], procedures[j]];
      // The code database may answer one order only; ask the other way round before saying "none".
      const edit = (await facts.findNcciEdit(a, b, { date })) ?? (await facts.findNcciEdit(b, a, { date }));
      addRelease(edit?.release);
      found.push({ codes: [a, b], edit });
    }
  }
  // A release that answered with an edit was consulted: its silence on the other pairs is an answer too.
  const ncciConsulted = hasNcci || found.some((f) => f.edit !== null);
  const pairs = found.map((f) => pairEvidence(f.codes, f.edit, mentioned, ncciConsulted, date));

  const mue: MueEvidence[] = [];
  for (const code of procedures) {
    const limit = await facts.findMue(code, { date });
    addRelease(limit?.release);
    mue.push(mueEvidence(code, limit, input.units?.[code] ?? null, hasMue, date));
  }

  const ordered = [...releases.values()].sort((x, y) => rank(x.label) - rank(y.label) || x.label.localeCompare(y.label));
  return {
    schemaVersion: 1,
    dateOfService: dateOfServiceEvidence(input.dateOfService),
    codes, pairs, mue, modifiers,
    releases: ordered,
    versions: ordered.map((r) => r.label),
    containsCptText: codes.some((c) => c.cptText) || modifiers.some((m) => m.cptText),
    unresolved: codes.filter((c) => c.status === 'unknown').map((c) => c.input),
  };
}

function rank(label: string): number {
  const i = SYSTEM_ORDER.findIndex((s) => label.startsWith(`${s} `));
  return i === -1 ? SYSTEM_ORDER.length : i;
}

function unique(list: string[]): string[] {
  return [...new Set(list.map((c) => c.trim().toUpperCase()).filter(Boolean))];
}

function refs(list: CodeRef[] | null | undefined): CodeRef[] {
  return (list ?? []).map((r) => ({ code: r.code, description: r.description }));
}

function listCodes(list: CodeRef[], max = 12, total = list.length): string {
  const shown = list.slice(0, max).map((r) => r.code).join(', ');
  const count = Math.max(total, list.length);
  return count > Math.min(max, list.length) ? `${shown} and ${count - Math.min(max, list.length)} more` : shown;
}

async function codeEvidence(facts: CodeFacts, kind: CodeEvidence['extractedAs'], found: CodeLookup, date: string): Promise<CodeEvidence> {
  const isCpt = kind === 'cpt' || found.system === 'cpt';
  const official = found.longDescription ?? found.shortDescription ?? null;
  const cptText = isCpt && found.licensed === true && official !== null;
  const descriptor = isCpt && !cptText ? (found.status === 'unknown' ? null : 'CPT descriptor not licensed') : official;
  const children = refs(found.children);
  const childCount = Math.max(children.length, found.childCount ?? 0);
  const closest = refs(found.closest);
  const endDate = found.endDate ? isoDate(found.endDate) : null;
  const header = found.header === true || (found.billable === false && children.length > 0);
  const code = found.code || found.input;
  const label = systemLabel(found.system === 'unknown' || found.system === 'modifier' ? kind : found.system);
  const problems: string[] = [];

  if (found.status === 'unknown') {
    // A CPT-shaped code is only ever unknown when a licensee's CPT release is loaded (without
    // one, CPT validity is not checked at all): it is missing from that release.
    problems.push(`${code} is not found in the ${label} code set as of ${date}.${closest.length ? ` Closest codes: ${listCodes(closest, 5)}.` : ''}`);
    const wrong7th = kind === 'icd10cm' ? await wrongSeventh(facts, code, date) : null;
    if (wrong7th) problems.push(wrong7th);
  } else if (found.status === 'ended') {
    problems.push(`${code} ended${endDate ? ` on ${endDate}` : ''}: not valid on the date of service ${date}.`);
  } else if (found.status === 'not-yet-valid') {
    problems.push(`${code} is not yet valid on the date of service ${date}.`);
  } else if (found.status === 'unchecked' && !found.listedIn?.length) {
    problems.push(`${code} is in none of the NCCI PTP or MUE files in force on ${date}: check that it is a current CPT code.`);
  }
  if (header) {
    const missing = kind === 'icd10cm' ? missingSeventh(code, children) : null;
    // The billable children are listed beside the problem (evidence.children): not again in it.
    problems.push(missing ?? `${code} is a header code, not billable${childCount ? `: code one of the ${childCount} billable codes under it` : ''}.`);
  }

  return {
    input: found.input || code, code, extractedAs: kind, systemLabel: label, status: found.status,
    statusLabel: statusLabel(found.status, date, endDate),
    descriptor, cptText, plainLanguage: found.plainLanguage ?? null,
    billable: found.billable ?? (header ? false : null), header, children, childCount, childrenNotShown: childCount - children.length, endDate, closest, problems,
    listedIn: found.status === 'unchecked' ? [...(found.listedIn ?? [])] : [],
  };
}

function statusLabel(status: LookupStatus, date: string, endDate: string | null): string {
  if (status === 'valid') return `valid on ${date}`;
  if (status === 'ended') return endDate ? `ended ${endDate}` : 'ended';
  if (status === 'not-yet-valid') return `not yet valid on ${date}`;
  if (status === 'unchecked') return 'CPT validity not checked: no CPT release loaded';
  return 'unknown';
}

const bare = (code: string): string => code.replace('.', '');

/** Billable children that differ from one another only in the 7th character. */
function seventhCharacters(children: CodeRef[]): { stem: string; letters: string[] } | null {
  if (children.length === 0 || !children.every((c) => bare(c.code).length === 7)) return null;
  const stem = bare(children[0].code).slice(0, 6);
  if (!children.every((c) => bare(c.code).startsWith(stem))) return null;
  return { stem, letters: [...new Set(children.map((c) => bare(c.code)[6]))] };
}

/** `S52.501` (a header whose children are S52.501A, S52.501B, …): the 7th character is missing. */
function missingSeventh(code: string, children: CodeRef[]): string | null {
  const seventh = seventhCharacters(children);
  if (!seventh) return null;
  const placeholder = seventh.stem.length > bare(code).length ? ` (with placeholder X: ${seventh.stem.slice(0, 3)}.${seventh.stem.slice(3)}_)` : '';
  return `${code} is not billable: the 7th character is missing${placeholder}; valid 7th characters: ${seventh.letters.join(', ')}.`;
}

/** `S52.501Z`: the 6-character parent exists, and its children do not include this 7th character. */
async function wrongSeventh(facts: CodeFacts, code: string, date: string): Promise<string | null> {
  const flat = bare(code);
  if (flat.length !== 7) return null;
  const parentCode = `${flat.slice(0, 3)}.${flat.slice(3, 6)}`;
  const parent = await facts.lookupCode(parentCode, { date, kind: 'icd10cm' });
  if (parent.status === 'unknown') return null;
  const seventh = seventhCharacters(refs(parent.children));
  if (!seventh || seventh.stem !== flat.slice(0, 6)) return null;
  return `The 7th character "${flat[6]}" is wrong for ${parent.code || parentCode}; valid 7th characters: ${seventh.letters.join(', ')}.`;
}

function modifierEvidence(mod: string, found: CodeLookup): ModifierEvidence {
  const kind = /^\d{2}$/.test(mod) ? 'cpt' : 'hcpcs';
  const text = found.longDescription ?? found.shortDescription ?? null;
  if (kind === 'cpt') {
    const cptText = found.licensed === true && text !== null;
    return { modifier: mod, kind, description: cptText ? text : 'CPT modifier', cptText, problems: [] };
  }
  if (found.status === 'unknown' || text === null) {
    return { modifier: mod, kind, description: 'not found in the HCPCS modifier list', cptText: false, problems: [`Modifier ${mod} is not found in the HCPCS Level II modifier list.`] };
  }
  const problems = found.status === 'ended' ? [`Modifier ${mod} ended${found.endDate ? ` on ${isoDate(found.endDate)}` : ''}.`] : [];
  return { modifier: mod, kind, description: text, cptText: false, problems };
}

function dateOfServiceEvidence(dos: DateOfService): Evidence['dateOfService'] {
  const written = dos.written ?? null;
  const label = dos.source === 'email'
    ? `${dos.date} (date of service written in the question${written ? `: "${written}"` : ''})`
    : dos.source === 'case'
      ? `${dos.date} (date of service of this case, written in an earlier message${written ? `: "${written}"` : ''})`
      : `${dos.date} (date received; no date of service in the question)`;
  return { date: dos.date, source: dos.source, written, label };
}

function mueEvidence(code: string, limit: MueLimit | null, units: number | null, hasMue: boolean, date: string): MueEvidence {
  if (!limit) {
    const summary = hasMue ? `No MUE for ${code} in force on ${date}.` : `Not checked: no MUE release is in force on ${date}.`;
    return { code, value: null, adjudicationIndicator: null, adjudicationMeaning: null, rationale: null, unitsWritten: units, exceeded: false, checked: hasMue, summary };
  }
  const indicator = String(limit.adjudicationIndicator);
  const meaning = limit.adjudicationMeaning ?? MUE_MAI[indicator] ?? null;
  const exceeded = units !== null && units > limit.value;
  const unitsText = units === null ? 'no units written in the question' : exceeded ? `${units} units written: EXCEEDS the MUE` : `${units} units written: within the MUE`;
  return {
    code, value: limit.value, adjudicationIndicator: indicator, adjudicationMeaning: meaning, rationale: limit.rationale ?? null,
    unitsWritten: units, exceeded, checked: true,
    summary: `MUE ${limit.value} per ${indicator === '1' ? 'claim line' : 'day'} (indicator ${indicator}${meaning ? `: ${meaning}` : ''}); ${unitsText}.`,
  };
}

function pairEvidence(codes: [string, string], edit: NcciEdit | null, mentioned: Set<string>, hasNcci: boolean, date: string): PairEvidence {
  if (!edit && !hasNcci) return { codes, edit: null, summary: `Not checked: no NCCI PTP release is in force on ${date}.`, modifiersMentioned: [], checked: false };
  if (!edit) return { codes, edit: null, summary: `No NCCI PTP edit between ${codes[0]} and ${codes[1]} in force on ${date}.`, modifiersMentioned: [], checked: true };
  const { column1, column2, modifierIndicator } = edit;
  const base = {
    column1, column2, modifierIndicator,
    effectiveDate: isoDate(edit.effectiveDate),
    deletionDate: edit.deletionDate ? isoDate(edit.deletionDate) : null,
    inForce: edit.active !== false,
    rationale: edit.rationale ?? null,
  };
  if (!base.inForce) {
    const when = base.deletionDate && base.deletionDate <= date ? `deleted as of ${base.deletionDate}` : `effective only from ${base.effectiveDate}`;
    return { codes, edit: base, summary: `No NCCI PTP edit in force on ${date}: the edit column 1 ${column1}, column 2 ${column2} is ${when}.`, modifiersMentioned: [], checked: true };
  }
  const bypass = modifierIndicator === '9' ? [] : [...mentioned].filter((m) => BYPASS_MODIFIERS.has(m));
  const note = bypass.length ? ` The question mentions modifier${bypass.length > 1 ? 's' : ''} ${bypass.join(', ')}${modifierIndicator === '0' ? `, which cannot bypass this edit` : ''}.` : '';
  return {
    codes,
    edit: base,
    summary: `NCCI PTP edit: column 1 ${column1}, column 2 ${column2}; ${INDICATOR_TEXT[modifierIndicator](column1, column2)}${note}`,
    modifiersMentioned: bypass,
    checked: true,
  };
}

/**
 * What the evidence could not check, each said once in plain words (the reply's "Not checked"
 * line): NCCI pairs and MUE limits without a release in force, CPT validity without a CPT release.
 */
export function notCheckedOf(evidence: Evidence): string[] {
  const date = evidence.dateOfService.date;
  const out: string[] = [];
  const cpt = evidence.codes.filter((c) => c.status === 'unchecked').map((c) => c.code);
  if (cpt.length) out.push(`CPT validity of ${cpt.join(', ')}: no CPT release is loaded.`);
  if (evidence.pairs.some((p) => !p.checked)) out.push(`NCCI PTP edits: no NCCI PTP release is in force on ${date}.`);
  if (evidence.mue.some((m) => !m.checked)) out.push(`MUE limits: no MUE release is in force on ${date}.`);
  return out;
}

/**
 * The evidence as the reply shows it: pairs and MUE limits that were not checked are left out of
 * their lists (notCheckedOf says so once), and an unchecked CPT code reads "validity not checked".
 */
export function evidenceShown(evidence: Evidence): Evidence & { notChecked: string[] } {
  return {
    ...evidence,
    codes: evidence.codes.map((c) => (c.status === 'unchecked' ? { ...c, statusLabel: 'validity not checked' } : c)),
    pairs: evidence.pairs.filter((p) => p.checked !== false),
    mue: evidence.mue.filter((m) => m.checked !== false),
    notChecked: notCheckedOf(evidence),
  };
}
