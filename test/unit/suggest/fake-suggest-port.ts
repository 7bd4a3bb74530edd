import type { CodeLookup, CodeRelease, MueLimit, NcciEdit } from '../../../src/drafts/code-facts.ts';
import type { SearchCandidate, SuggestPort } from '../../../src/drafts/suggest/index.ts';

/*
 * A small code database for the suggestion tests: ICD-10-CM and HCPCS descriptors follow the
 * public-domain CMS files; NCCI and MUE values are made up; no CPT descriptor appears (CPT codes
 * resolve as "descriptor not licensed", as they do without a CPT release).
 */

const R = {
  icd25: { system: 'icd10cm', version: 'FY2025', effectiveDate: '2024-10-01' },
  icd26: { system: 'icd10cm', version: 'FY2026', effectiveDate: '2025-10-01' },
  hcpcs: { system: 'hcpcs', version: '2025-01', effectiveDate: '2025-01-01' },
  ncci: { system: 'ncci', version: '2026Q1', effectiveDate: '2026-01-01' },
  mue: { system: 'mue', version: '2026Q1', effectiveDate: '2026-01-01' },
} satisfies Record<string, CodeRelease>;

type Row = Omit<CodeLookup, 'input'>;
const ref = (code: string, description: string) => ({ code, description });

const CODES: Record<string, Row> = {
  'M54.5': {
    system: 'icd10cm', code: 'M54.5', status: 'valid', longDescription: 'Low back pain', billable: false, header: true, release: R.icd26,
    children: [ref('M54.50', 'Low back pain, unspecified'), ref('M54.51', 'Vertebrogenic low back pain'), ref('M54.59', 'Other low back pain')],
  },
  'M54.50': { system: 'icd10cm', code: 'M54.50', status: 'valid', longDescription: 'Low back pain, unspecified', plainLanguage: 'Low back pain, cause not specified.', billable: true, header: false, release: R.icd26 },
  'S52.501': {
    system: 'icd10cm', code: 'S52.501', status: 'valid', longDescription: 'Unspecified fracture of the lower end of right radius', billable: false, header: true, release: R.icd26,
    children: ['A', 'B', 'C'].map((l) => ref(`S52.501${l}`, `Unspecified fracture of the lower end of right radius, encounter ${l}`)),
  },
  'S30.1XXA': { system: 'icd10cm', code: 'S30.1XXA', status: 'ended', endDate: '2025-09-30', longDescription: 'Contusion of abdominal wall, initial encounter', billable: true, release: R.icd25 },
  'S30.1': {
    system: 'icd10cm', code: 'S30.1', status: 'valid', longDescription: 'Contusion of abdominal wall', billable: false, header: true, release: R.icd26,
    children: [ref('S30.11XA', 'Contusion of abdominal wall, initial encounter'), ref('S30.11XD', 'Contusion of abdominal wall, subsequent encounter'), ref('S30.12XA', 'Contusion of groin, initial encounter')],
  },
  L3908: { system: 'hcpcs', code: 'L3908', status: 'valid', longDescription: 'Wrist hand orthosis, wrist extension control cock-up, non molded, prefabricated, off-the-shelf', release: R.hcpcs },
  J1885: { system: 'hcpcs', code: 'J1885', status: 'valid', longDescription: 'Injection, ketorolac tromethamine, per 15 mg', release: R.hcpcs },
  G0283: { system: 'hcpcs', code: 'G0283', status: 'valid', longDescription: 'Electrical stimulation (unattended), to one or more areas for indication(s) other than wound care, as part of a therapy plan of care', release: R.hcpcs },
  'E11.65': { system: 'icd10cm', code: 'E11.65', status: 'valid', longDescription: 'Type 2 diabetes mellitus with hyperglycemia', billable: true, header: false, release: R.icd26 },
};

const MODIFIERS: Record<string, Row> = {
  RT: { system: 'modifier', code: 'RT', status: 'valid', longDescription: 'Right side (used to identify procedures performed on the right side of the body)', release: R.hcpcs },
  XS: { system: 'modifier', code: 'XS', status: 'valid', longDescription: 'Separate structure, a service that is distinct because it was performed on a separate organ/structure', release: R.hcpcs },
};

const EDITS: NcciEdit[] = [
  { column1: '97530', column2: '97140', effectiveDate: '2020-01-01', deletionDate: null, modifierIndicator: '1', rationale: 'Mutually exclusive procedures', release: R.ncci },
  { column1: '36415', column2: '36416', effectiveDate: '1996-01-01', deletionDate: null, modifierIndicator: '0', rationale: 'Misuse of column two code with column one code', release: R.ncci },
  { column1: '97032', column2: 'G0283', effectiveDate: '2015-01-01', deletionDate: '2024-01-01', active: false, modifierIndicator: '1', rationale: 'Standards of medical / surgical practice', release: R.ncci },
  { column1: 'G0283', column2: '97014', effectiveDate: '2015-01-01', deletionDate: null, modifierIndicator: '9', rationale: 'Misuse of column two code with column one code', release: R.ncci },
  { column1: '20610', column2: '99213', effectiveDate: '2019-01-01', deletionDate: null, modifierIndicator: '1', rationale: 'Standards of medical / surgical practice', release: R.ncci },
];

const MUES: Record<string, MueLimit> = {
  J1885: { code: 'J1885', value: 8, adjudicationIndicator: '3', release: R.mue },
  L3908: { code: 'L3908', value: 1, adjudicationIndicator: '1', release: R.mue },
  '64483': { code: '64483', value: 1, adjudicationIndicator: '2', release: R.mue },
};

const SEARCH: Record<string, SearchCandidate[]> = {
  'type 2 diabetes with hyperglycemia': [{ system: 'icd10cm', code: 'E11.65', description: 'Type 2 diabetes mellitus with hyperglycemia' }],
};

/** A fake code database for the suggestion; `noNcci` leaves the NCCI release out. */
export function fakeSuggestPort(options: { noNcci?: boolean } = {}): SuggestPort {
  const inForce = (date: string) =>
    Object.values(R).filter((r) => r.effectiveDate <= date && !(options.noNcci && r.system === 'ncci') && !(r === R.icd25 && date >= R.icd26.effectiveDate));
  return {
    lookupCode(code, { kind }) {
      const row = (kind === 'modifier' ? MODIFIERS : CODES)[code];
      if (row) return { input: code, ...row };
      if (kind === 'modifier' && /^\d{2}$/.test(code)) return { input: code, system: 'modifier', code, status: 'valid', longDescription: 'CPT modifier', licensed: false };
      if (kind === 'cpt') return { input: code, system: 'cpt', code, status: 'valid', shortDescription: 'CPT code, descriptor not licensed', licensed: false };
      return { input: code, system: 'unknown', code, status: 'unknown', closest: [] };
    },
    findNcciEdit(a, b, { date }) {
      if (options.noNcci || date < R.ncci.effectiveDate) return null;
      return EDITS.find((e) => e.column1 === a && e.column2 === b) ?? null;
    },
    findMue: (code, { date }) => (date < R.mue.effectiveDate ? null : (MUES[code] ?? null)),
    releasesInForce: inForce,
    searchCodes: (words) => SEARCH[words] ?? [],
  };
}
