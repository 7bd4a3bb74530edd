/**
 * Edit figures of suggested answers (issue 10 item 6), overall and per intent. Pure: draft rows
 * in, figures out; `loadDraftStats` (draft-stats-load.ts) reads the rows.
 */

export interface DraftStatsRow {
  state: string;
  intents: string[];
  suggested: boolean;
  approvedUnchanged: boolean | null;
  editDistance: number | null;
}

export interface DraftStatsFigures {
  /** Drafts that carried a suggested answer. */
  suggested: number;
  approvedUnchanged: number;
  approvedEdited: number;
  /** Median normalised edit distance (0..1) of the approved suggested answers; null when none. */
  medianEditDistance: number | null;
  /** Suggested drafts a consultant rejected. */
  rejected: number;
}

export interface DraftStats {
  since: string | null;
  overall: DraftStatsFigures;
  byIntent: Record<string, DraftStatsFigures>;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(m * 10_000) / 10_000;
}

function figures(rows: DraftStatsRow[]): DraftStatsFigures {
  const suggested = rows.filter((r) => r.suggested);
  const decided = suggested.filter((r) => r.approvedUnchanged !== null && r.state !== 'rejected');
  return {
    suggested: suggested.length,
    approvedUnchanged: decided.filter((r) => r.approvedUnchanged === true).length,
    approvedEdited: decided.filter((r) => r.approvedUnchanged === false).length,
    medianEditDistance: median(decided.map((r) => r.editDistance ?? (r.approvedUnchanged ? 0 : 1))),
    rejected: suggested.filter((r) => r.state === 'rejected').length,
  };
}

/** Overall and per intent (a draft counts once under each of its intents). */
export function draftStats(rows: DraftStatsRow[], since: string | null = null): DraftStats {
  const intents = [...new Set(rows.filter((r) => r.suggested).flatMap((r) => r.intents))].sort();
  const byIntent: Record<string, DraftStatsFigures> = {};
  for (const intent of intents) byIntent[intent] = figures(rows.filter((r) => r.intents.includes(intent)));
  return { since, overall: figures(rows), byIntent };
}

/** The figures as a table a terminal shows. */
export function formatDraftStats(stats: DraftStats): string {
  const head = ['intent', 'suggested', 'unchanged', 'edited', 'median edit', 'rejected'];
  const row = (name: string, f: DraftStatsFigures) => [name, f.suggested, f.approvedUnchanged, f.approvedEdited, f.medianEditDistance ?? '-', f.rejected].map(String);
  const rows = [head, row('(all)', stats.overall), ...Object.entries(stats.byIntent).map(([k, f]) => row(k, f))];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  return `${stats.since ? `Drafts created since ${stats.since}\n` : ''}${lines.join('\n')}\n`;
}
