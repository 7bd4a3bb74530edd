import { basename } from 'node:path';
import { ValidationError } from '../shared/errors.ts';
import { isIsoDate } from './normalize.ts';
import type { ImportSystem } from './types.ts';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Version label and effective date a file name implies, where it implies them. */
export function defaultsFromFileName(system: ImportSystem, file: string): { version?: string; effective?: string } {
  const name = basename(file);
  const fy = (year: number) => ({ version: `FY${year}`, effective: `${year - 1}-10-01` });
  switch (system) {
    case 'icd10cm': {
      const m = /icd10cm[_-](?:order|codes)[_-](\d{4})/i.exec(name) ?? /(?:FY)?(20\d{2})/i.exec(name);
      return m ? fy(Number(m[1])) : {};
    }
    case 'icd10pcs': {
      const m = /icd10pcs[_-]?\w*?[_-](\d{4})/i.exec(name) ?? /(?:FY)?(20\d{2})/i.exec(name);
      return m ? fy(Number(m[1])) : {};
    }
    case 'hcpcs': {
      const m = /HCPC(\d{4})[_-]?([A-Z]{3})/i.exec(name);
      if (!m) return {};
      const month = MONTHS.indexOf(m[2].toUpperCase());
      if (month < 0) return { version: m[1] };
      const mm = String(month + 1).padStart(2, '0');
      return { version: `${m[1]}-${mm}`, effective: `${m[1]}-${mm}-01` };
    }
    case 'ncci':
    case 'mue':
      return editDefaults(name);
    case 'cpt': {
      const m = /(20\d{2})/.exec(name);
      return m ? { version: m[1], effective: `${m[1]}-01-01` } : {};
    }
  }
}

/** `2026Q2` for the first day of a quarter, else the date itself. */
function quarterLabel(iso: string): string {
  const [y, m, d] = iso.split('-');
  const q = ['01', '04', '07', '10'].indexOf(m);
  return q >= 0 && d === '01' ? `${y}Q${q + 1}` : iso;
}

function quarterStart(year: number, quarter: number): string {
  return `${year}-${String((quarter - 1) * 3 + 1).padStart(2, '0')}-01`;
}

/**
 * NCCI and MUE names as CMS publishes them, and a few plain ones:
 * - `MCR_MUE_PractitionerServices_Eff_01-01-2026.csv`: effective MM-DD-YYYY (also YYYY-MM-DD);
 * - `ccipra-v321r0-f1.txt`: practitioner PTP table (`ccioph` the hospital one), version 32.1
 *   revision 0, part 1. NCCI version NN.q takes effect in quarter q+1 of year 1994+NN (30.0 is
 *   January 2024), so v32.1 is 2026Q2, effective 2026-04-01; a revision above 0 is labelled
 *   `2026Q2r1`. Parts (-f1 … -f4) of one version make one release;
 * - a quarter in the name: `ncci-ptp-2026Q1.txt`.
 * The version label is the quarter (`2026Q1`) when the date starts one.
 */
function editDefaults(name: string): { version?: string; effective?: string } {
  const mdy = /Eff[_-]?(\d{2})-(\d{2})-(\d{4})/i.exec(name);
  const ymd = /Eff[_-]?(\d{4})-?(\d{2})-?(\d{2})/i.exec(name);
  const date = mdy ? `${mdy[3]}-${mdy[1]}-${mdy[2]}` : ymd ? `${ymd[1]}-${ymd[2]}-${ymd[3]}` : undefined;
  if (date && isIsoDate(date)) return { version: quarterLabel(date), effective: date };
  const cms = /cci[a-z]{3}-v(\d{2})(\d)r(\d+)/i.exec(name);
  if (cms && Number(cms[2]) <= 3) {
    const year = 1994 + Number(cms[1]);
    const quarter = Number(cms[2]) + 1;
    const revision = Number(cms[3]);
    return { version: `${year}Q${quarter}${revision > 0 ? `r${revision}` : ''}`, effective: quarterStart(year, quarter) };
  }
  const quarter = /(\d{4})[_-]?Q([1-4])/i.exec(name);
  if (quarter) return { version: `${quarter[1]}Q${quarter[2]}`, effective: quarterStart(Number(quarter[1]), Number(quarter[2])) };
  return {};
}

/** Which part of a multi-part CMS file a name is (`-f2` → 2), or undefined. */
export function partOf(file: string): { series: string; part: number } | undefined {
  const m = /^(.*)-f(\d+)(\.[a-z0-9.]+)?$/i.exec(basename(file));
  return m ? { series: m[1].toLowerCase(), part: Number(m[2]) } : undefined;
}

/**
 * The version label and effective date of an import: explicit options win over the file names.
 * Several files (the parts of one NCCI release) must name the same version and date.
 */
export function resolveReleaseIdentity(system: ImportSystem, file: string | string[], version?: string, effective?: string): { version: string; effective: string } {
  const files = Array.isArray(file) ? file : [file];
  const all = files.map((f) => defaultsFromFileName(system, f));
  const d = all[0];
  const differ = all.find((x) => x.version !== d.version || x.effective !== d.effective);
  if (differ && (!version || !effective)) {
    throw new ValidationError(`the files name different releases (${all.map((x, i) => `${basename(files[i])}: ${x.version ?? '?'}`).join(', ')}): import them one release at a time`);
  }
  const eff = effective ?? d.effective;
  if (!eff) {
    throw new ValidationError(`--effective YYYY-MM-DD is required: the file name "${basename(files[0])}" does not say when this ${system} release takes effect`);
  }
  if (!isIsoDate(eff)) throw new ValidationError(`effective date "${eff}" is not a date (YYYY-MM-DD)`);
  return { version: version ?? d.version ?? basename(files[0]), effective: eff };
}
