/**
 * The scratch code database of `npm run eval:answers` and `npm run bench:suggest`: the real
 * ICD-10-CM FY2025 order and FY2026 codes files and HCPCS 2025-01 from ../shared/data, plus the
 * answers corpus's NCCI PTP and MUE fixtures (real CMS layouts, made-up values), in SQLite.
 */
import { existsSync } from 'node:fs';
import { importCodeFile } from '../src/codes/index.ts';
import { openDatabase, type Orm } from '../src/db/orm.ts';

export const DATA = '../shared/data';
export const FIXTURES = 'test/fixtures/answers';
/** The date passed as `--date` when a question writes no date of service and its label gives none. */
export const DEFAULT_DATE = '2026-01-15';

/**
 * The imports. The NCCI and MUE fixtures get their version and effective date explicitly: until
 * the importer reads MUE names like `..._Eff_01-01-2026.csv` (MM-DD-YYYY) it cannot tell them.
 */
export const EVAL_IMPORTS: { system: string; file: string; version?: string; effective?: string }[] = [
  { system: 'icd10cm', file: `${DATA}/icd10cm/fy2025/icd10cm_order_2025.txt` },
  { system: 'icd10cm', file: `${DATA}/icd10cm/fy2026/icd10cm-codes-2026.txt` },
  { system: 'hcpcs', file: `${DATA}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt` },
  { system: 'ncci', file: `${FIXTURES}/codes/ccipra-v310r0-f1.txt`, version: '2025Q1', effective: '2025-01-01' },
  { system: 'ncci', file: `${FIXTURES}/codes/ccipra-v320r0-f1.txt`, version: '2026Q1', effective: '2026-01-01' },
  { system: 'mue', file: `${FIXTURES}/codes/MCR_MUE_PractitionerServices_Eff_01-01-2025.csv`, version: '2025Q1', effective: '2025-01-01' },
  { system: 'mue', file: `${FIXTURES}/codes/MCR_MUE_PractitionerServices_Eff_01-01-2026.csv`, version: '2026Q1', effective: '2026-01-01' },
];

/** Open (and on first use fill) the scratch database at `path`. */
export async function openEvalDatabase(path: string): Promise<Orm> {
  const fresh = !existsSync(path);
  const orm = await openDatabase({ driver: 'sqlite', path }, { migrate: true });
  if (fresh) for (const i of EVAL_IMPORTS) await importCodeFile(orm, i);
  return orm;
}
