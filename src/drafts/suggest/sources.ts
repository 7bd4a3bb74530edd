import type { Evidence, ReleaseEvidence } from '../evidence.ts';
import type { CodeRef } from '../code-facts.ts';

/**
 * Where a fact comes from, in the words the answer uses: `ICD-10-CM FY2026, effective 2025-10-01`.
 * The composer cites the release of each code set in force on the date of service (the one the
 * lookups answered from); every label cited is collected, so the draft can stamp them.
 */
export class Sources {
  private readonly cited = new Set<string>();

  constructor(private readonly evidence: Evidence) {}

  /** The release of a code set (`ICD-10-CM`, `HCPCS`, `NCCI PTP`, `MUE`, `CPT`) in force on the date, if any. */
  inForce(label: string): ReleaseEvidence | null {
    const date = this.evidence.dateOfService.date;
    let best: ReleaseEvidence | null = null;
    for (const r of this.evidence.releases) {
      if (!r.label.startsWith(`${label} `) || r.effectiveDate > date) continue;
      if (!best || r.effectiveDate > best.effectiveDate) best = r;
    }
    return best;
  }

  /** A release of a code set that takes effect after the date (a code "not yet valid" is listed there). */
  later(label: string): ReleaseEvidence | null {
    const date = this.evidence.dateOfService.date;
    const later = this.evidence.releases.filter((r) => r.label.startsWith(`${label} `) && r.effectiveDate > date);
    return later.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate))[0] ?? null;
  }

  /** `NCCI PTP 2026Q1, effective 2026-01-01`, remembered as cited. */
  cite(release: ReleaseEvidence): string {
    this.cited.add(release.label);
    return `${release.label}, effective ${release.effectiveDate}`;
  }

  /** Cite the release of a code set in force on the date, or name the code set alone. */
  citeSystem(label: string): string {
    const r = this.inForce(label);
    return r ? this.cite(r) : label;
  }

  /** Every release label cited so far. */
  labels(): string[] {
    return [...this.cited];
  }
}

/** `A, B and C` */
export function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `A or B` */
export function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * Codes with their descriptors, the words all of them share left out after the first
 * (`S52.501A (Unspecified fracture …, initial encounter for closed fracture), S52.501B (subsequent …)`),
 * at most `max` listed, then "and N more".
 */
export function listRefs(refs: CodeRef[], max: number, total = refs.length): string {
  const unique = dedupeRefs(refs);
  const shown = unique.slice(0, max);
  const prefix = commonPrefix(shown.map((r) => r.description));
  const items = shown.map((r, i) => {
    const text = i === 0 || prefix.length < 12 ? r.description : `…${r.description.slice(prefix.length)}`;
    return `${r.code} (${text})`;
  });
  const rest = Math.max(total, unique.length) - shown.length;
  return rest > 0 ? `${items.join('; ')}; and ${rest} more` : items.join('; ');
}

export function dedupeRefs(refs: CodeRef[]): CodeRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => (seen.has(r.code) ? false : (seen.add(r.code), true)));
}

/** The common leading words of the descriptors (cut at a comma or space). */
function commonPrefix(texts: string[]): string {
  if (texts.length < 2) return '';
  let p = texts[0];
  for (const t of texts) while (!t.startsWith(p)) p = p.slice(0, -1);
  const cut = Math.max(p.lastIndexOf(', '), p.lastIndexOf(' '));
  return cut > 0 ? p.slice(0, cut + 1).replace(/^(.*?)(,?\s)$/, '$1$2') : '';
}
