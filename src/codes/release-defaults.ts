import { basename } from 'node:path';
import { ValidationError } from '../shared/errors.ts';
import { isIsoDate } from './normalize.ts';
import type { ImportSystem } from './types.ts';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Version label and effective date a file name implies, where it implies them. */
export function defaultsFromFileName(system: ImportSystem, file: string): { version?: string; effective?: string } {
  const name = basename(file);
  const fy = (year: number) => ({ version: `FY${year}`, effective: `${year - 1}-10-01` });
  const quarter = /(\d{4})[_-]?Q([1-4])/i.exec(name);
  const eff = /Eff[_-]?(\d{4})-?(\d{2})-?(\d{2})/i.exec(name);
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
    case 'mue': {
      if (eff) return { version: `${eff[1]}-${eff[2]}-${eff[3]}`, effective: `${eff[1]}-${eff[2]}-${eff[3]}` };
      if (quarter) {
        const mm = String((Number(quarter[2]) - 1) * 3 + 1).padStart(2, '0');
        return { version: `${quarter[1]}Q${quarter[2]}`, effective: `${quarter[1]}-${mm}-01` };
      }
      const v = /v(\d{3}r\d+)/i.exec(name);
      return v ? { version: `v${v[1]}` } : {};
    }
    case 'cpt': {
      const m = /(20\d{2})/.exec(name);
      return m ? { version: m[1], effective: `${m[1]}-01-01` } : {};
    }
  }
}

/** The version label and effective date of an import: explicit options win over the file name. */
export function resolveReleaseIdentity(system: ImportSystem, file: string, version?: string, effective?: string): { version: string; effective: string } {
  const d = defaultsFromFileName(system, file);
  const eff = effective ?? d.effective;
  if (!eff) {
    throw new ValidationError(`--effective YYYY-MM-DD is required: the file name "${basename(file)}" does not say when this ${system} release takes effect`);
  }
  if (!isIsoDate(eff)) throw new ValidationError(`effective date "${eff}" is not a date (YYYY-MM-DD)`);
  return { version: version ?? d.version ?? basename(file), effective: eff };
}
