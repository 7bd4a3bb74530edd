import type { Command } from 'commander';
import type { EntityManager } from '@mikro-orm/core';
import { CODE_TABLES_ONLY, printJson, withDatabase } from '../context.ts';
import type { Orm } from '../../db/orm.ts';
import { ValidationError } from '../../shared/errors.ts';
import {
  describeCode, findMue, findNcciEdit, importCodeFile, lookupCode, releasesInForce, searchCodes,
  type CodeLookup, type ImportProgress, type ImportSummary,
} from '../../codes/index.ts';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { codeSearchDetails } from '../../review/code-search-audit.ts';
import { today } from '../../codes/normalize.ts';
import { computeReleaseImpact, type ImpactSummary } from '../../impact/compute-impact.ts';
import { listReleaseImpacts, type ImpactView } from '../../impact/impacts.ts';

/** What a codes subcommand produces: a JSON value for --json, and text for people. */
export interface CommandOutput {
  json: unknown;
  text: string;
}

const SYSTEM_NAMES: Record<string, string> = {
  icd10cm: 'ICD-10-CM', icd10pcs: 'ICD-10-PCS', hcpcs: 'HCPCS Level II', cpt: 'CPT', modifier: 'modifier', unknown: 'unknown',
  ncci: 'NCCI PTP', mue: 'MUE',
};

/** `casedesk codes import`: one file (or the parts of one NCCI release) as one release, with a summary. */
export async function codesImport(orm: Orm, system: string, file: string | string[], opts: { version?: string; effective?: string; onProgress?: (p: ImportProgress) => void; lookbackDays?: number }): Promise<CommandOutput> {
  const s = await importCodeFile(orm, { system, file, version: opts.version, effective: opts.effective, onProgress: opts.onProgress });
  // After the import committed (or found the release already imported): the answers it overtook.
  // Idempotent, so an import that died before this step is completed by importing again.
  const impact = await computeReleaseImpact(orm.em.fork(), s.release.id, { lookbackDays: opts.lookbackDays ?? 180 });
  return { json: { ...s, impact }, text: importText(s) + impactLine(impact) };
}

function impactLine(i: ImpactSummary): string {
  if (!i.previous) return '';
  return `  answers affected: ${i.affected} of ${i.answersChecked} sent in the look-back window (${i.created} new; casedesk codes impact ${i.release.id})\n`;
}

/** `casedesk codes impact <release-id|latest>`: the answers a release overtook (computed first if not yet: idempotent). */
export async function codesImpact(em: EntityManager, ref: string, opts: { lookbackDays: number }): Promise<CommandOutput> {
  const summary = await computeReleaseImpact(em, ref, opts);
  const impacts = await listReleaseImpacts(em.fork(), summary.release.id);
  return { json: { ...summary, impacts }, text: impactText(summary, impacts) };
}

function impactText(s: ImpactSummary, impacts: ImpactView[]): string {
  const head = `${s.release.label} (release ${s.release.id}, effective ${s.release.effectiveDate})`;
  if (!s.previous) return `${head}: the first ${SYSTEM_NAMES[s.release.system] ?? s.release.system} release, nothing to compare with\n`;
  const lines = [`${head} against ${s.previous.version} (release ${s.previous.id}): ${impacts.length} answer${impacts.length === 1 ? '' : 's'} affected of ${s.answersChecked} checked`];
  for (const i of impacts) {
    lines.push(`  ${i.caseNumber}  answer draft ${i.draftId}  sent ${i.sentAt?.slice(0, 10) ?? '?'}${i.followUp ? `  follow-up draft ${i.followUp.draftId} ${i.followUp.state}` : ''}`);
    for (const f of i.facts) for (const said of f.said) lines.push(`    ${said}`);
  }
  return `${lines.join('\n')}\n`;
}

function importText(s: ImportSummary): string {
  const r = s.release;
  const head = `${SYSTEM_NAMES[r.system]} ${r.version} (effective ${r.effectiveDate}) from ${r.sourceFile}`;
  if (s.skipped) return `${head}: already imported (same checksum), nothing to do\n`;
  const lines = [
    `${head}: imported in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  rows read ${s.rowsRead}, added ${s.added}, changed ${s.changed}, ended ${s.ended}, rejected ${s.rejectedCount}`,
  ];
  if (s.duplicates) lines.push(`  ${s.duplicates} rows listed a key twice: the row in force (else the later deletion) kept`);
  if (s.previous) lines.push(`  compared with ${s.previous.version} (effective ${s.previous.effectiveDate})`);
  for (const rej of s.rejected.slice(0, 20)) lines.push(`  rejected line ${rej.line}: ${rej.reason}`);
  if (s.rejectedCount > 20) lines.push(`  … ${s.rejectedCount - 20} more rejected rows (see --json for the first 1,000)`);
  return `${lines.join('\n')}\n`;
}

/** `casedesk codes lookup`. */
export async function codesLookup(em: EntityManager, code: string, opts: { date?: string }): Promise<CommandOutput> {
  const r = await lookupCode(em, code, { date: opts.date });
  return { json: r, text: lookupText(r, opts.date ?? today()) };
}

function lookupText(r: CodeLookup, date: string): string {
  const lines: string[] = [];
  if (r.status === 'unknown' && r.system === 'unknown') {
    lines.push(`${r.code}: unknown code`);
  } else {
    const kind = r.header ? 'header (not billable)' : r.billable ? 'billable' : '';
    const status = { valid: 'valid', ended: 'ended', 'not-yet-valid': 'not yet valid', unknown: 'unknown', unchecked: 'CPT validity not checked (no CPT release loaded)' }[r.status];
    lines.push([r.code, SYSTEM_NAMES[r.system], kind, r.status === 'unchecked' ? status : `${status} on ${date}`].filter(Boolean).join('  '));
    if (r.longDescription) lines.push(`  ${r.longDescription}`);
    if (r.shortDescription && r.shortDescription !== r.longDescription) lines.push(`  short: ${r.shortDescription}`);
    if (r.consumerDescription) lines.push(`  consumer: ${r.consumerDescription}`);
    if (r.plainLanguage) lines.push(`  plain language: ${r.plainLanguage}`);
    if (r.licensed === false) lines.push('  (no CPT licence data imported)');
    if (r.listedIn) lines.push(`  listed in: ${r.listedIn.map((s) => SYSTEM_NAMES[s]).join(', ')}`);
    if (r.startDate) lines.push(`  valid from ${r.startDate}`);
    if (r.endDate) lines.push(`  end date ${r.endDate}`);
    if (r.release) lines.push(`  release: ${r.release.system} ${r.release.version} (effective ${r.release.effectiveDate})${r.headerDerived ? ', header derived from its billable codes' : ''}`);
    if (r.children) {
      lines.push(`  billable children (${r.childCount ?? r.children.length}):`);
      for (const c of r.children.slice(0, 25)) lines.push(`    ${c.code}  ${c.description}`);
      if ((r.childCount ?? 0) > 25) lines.push(`    … ${(r.childCount ?? 0) - 25} more (see --json)`);
    }
    if (r.alsoMatches) lines.push(`  also a code in: ${r.alsoMatches.map((m) => `${SYSTEM_NAMES[m.system]} ${m.code}`).join(', ')}`);
  }
  if (r.closest?.length) {
    lines.push('  closest existing codes:');
    for (const c of r.closest) lines.push(`    ${c.code}  ${c.description}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `casedesk codes search`. */
export async function codesSearch(em: EntityManager, words: string, opts: { system?: string; limit?: number }): Promise<CommandOutput> {
  const hits = await searchCodes(em, words, { system: opts.system, limit: opts.limit });
  const text = hits.length === 0 ? 'no match\n' : hits.map((h) => `${h.code.padEnd(9)} ${(SYSTEM_NAMES[h.system] ?? h.system).padEnd(14)} ${h.description}${h.header ? ' (header)' : ''}\n`).join('');
  return { json: hits, text };
}

/** `casedesk codes ncci`. */
export async function codesNcci(em: EntityManager, a: string, b: string, opts: { date?: string }): Promise<CommandOutput> {
  const e = await findNcciEdit(em, a, b, { date: opts.date });
  if (!e) return { json: null, text: `no NCCI PTP edit between ${a} and ${b}${opts.date ? ` on ${opts.date}` : ''}\n` };
  const text = [
    `NCCI PTP edit: column 1 ${e.column1}, column 2 ${e.column2}${e.active ? '' : ' (not in effect on that date)'}`,
    `  effective ${e.effectiveDate}${e.deletionDate ? `, deleted ${e.deletionDate}` : ''}${e.priorTo1996 ? ', in existence prior to 1996' : ''}`,
    `  modifier indicator ${e.modifierIndicator}: ${e.meaning}`,
    `  rationale: ${e.rationale}`,
    `  release: ncci ${e.release.version} (effective ${e.release.effectiveDate})`,
  ].join('\n');
  return { json: e, text: `${text}\n` };
}

/** `casedesk codes mue`. */
export async function codesMue(em: EntityManager, code: string, opts: { date?: string }): Promise<CommandOutput> {
  const m = await findMue(em, code, { date: opts.date });
  if (!m) return { json: null, text: `no MUE for ${code}${opts.date ? ` on ${opts.date}` : ''}\n` };
  const text = [
    `MUE ${m.code}: ${m.value} unit${m.value === 1 ? '' : 's'}`,
    `  adjudication indicator ${m.adjudicationIndicator}: ${m.adjudicationMeaning}`,
    `  rationale: ${m.rationale}`,
    `  release: mue ${m.release.version} (effective ${m.release.effectiveDate})`,
  ].join('\n');
  return { json: m, text: `${text}\n` };
}

/** `casedesk codes describe`. */
export async function codesDescribe(em: EntityManager, code: string, opts: { text?: string; author?: string }): Promise<CommandOutput> {
  if (!opts.text) throw new ValidationError('--text "…" is required');
  const d = await describeCode(em, code, opts.text, opts.author);
  return { json: d, text: `${d.code}: plain-language description saved\n` };
}

/** `casedesk codes releases`. */
export async function codesReleases(em: EntityManager, opts: { date?: string }): Promise<CommandOutput> {
  const date = opts.date ?? today();
  const list = await releasesInForce(em, date);
  const text = list.length === 0 ? `no release in force on ${date}\n` : list.map((r) => `${r.system.padEnd(9)} ${r.version.padEnd(12)} effective ${r.effectiveDate}\n`).join('');
  return { json: list, text };
}

function emit(out: CommandOutput, json?: boolean): void {
  if (json) printJson(out.json);
  else process.stdout.write(out.text);
}

/** A progress bar on a terminal (cli-progress loads only then, and only for `codes import`). */
async function progressBar(): Promise<{ onProgress?: (p: ImportProgress) => void; stop: () => void }> {
  if (!process.stderr.isTTY) return { stop: () => {} };
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: '{phase} [{bar}] {percentage}% | {rows} rows', hideCursor: true });
  let started = false;
  let phase = '';
  const labels: Record<string, string> = { read: 'reading  ', compare: 'comparing', write: 'writing  ' };
  return {
    onProgress: (p) => {
      const now = p.phase ?? 'read';
      if (now === 'done') {
        if (started) bar.stop();
        started = false;
        return;
      }
      const [value, total] = now === 'write' ? [p.done ?? 0, p.total ?? 0] : [Math.min(p.bytesRead, p.totalBytes), p.totalBytes];
      if (!started || now !== phase) {
        if (started) bar.stop();
        bar.start(Math.max(total, 1), 0, { rows: p.rowsRead, phase: labels[now] });
        started = true;
        phase = now;
      }
      bar.update(value, { rows: p.rowsRead, phase: labels[now] });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`--limit "${v}" is not a positive whole number`);
  return n;
}

/** Registers `casedesk codes`. */
export function registerCodesCommand(program: Command): void {
  const codes = program.command('codes').description('the code database: import releases, look codes up, search, NCCI and MUE edits');
  codes.command('import <system> <files...>')
    .description('import an official file as a release (system: icd10cm, hcpcs, icd10pcs, ncci, mue, cpt); the parts of one NCCI release (-f1 … -f4) together')
    .option('--version <label>', 'version label (default: from the file name)')
    .option('--effective <date>', 'effective date YYYY-MM-DD (default: from the file name where it says)')
    .option('--json', 'print the summary as JSON')
    .action(async (system: string, files: string[], o: { version?: string; effective?: string; json?: boolean }) => {
      const bar = await progressBar();
      try {
        const out = await withDatabase(({ orm, config }) => codesImport(orm, system, files.length === 1 ? files[0] : files, { ...o, onProgress: bar.onProgress, lookbackDays: config.env.IMPACT_LOOKBACK_DAYS }));
        bar.stop();
        emit(out, o.json);
      } finally {
        bar.stop();
      }
    });
  codes.command('lookup <code>').description('look a code up as of a date')
    .option('--date <date>', 'date of service YYYY-MM-DD (default today)').option('--json', 'print JSON')
    .action(async (code: string, o: { date?: string; json?: boolean }) => emit(await withDatabase(async ({ orm }) => {
      await appendAudit(orm.em.fork(), { actor: 'cli', action: 'code.search', details: codeSearchDetails(code) });
      return codesLookup(orm.em.fork(), code, o);
    }, CODE_TABLES_ONLY), o.json));
  codes.command('search <words>').description('keyword search over descriptors')
    .option('--system <system>', 'icd10cm, icd10pcs, hcpcs, cpt or modifier').option('--limit <n>', 'how many results (default 10)', parseLimit).option('--json', 'print JSON')
    .action(async (words: string, o: { system?: string; limit?: number; json?: boolean }) => emit(await withDatabase(async ({ orm }) => {
      await appendAudit(orm.em.fork(), { actor: 'cli', action: 'code.search', details: codeSearchDetails(words) });
      return codesSearch(orm.em.fork(), words, o);
    }, CODE_TABLES_ONLY), o.json));
  codes.command('ncci <code1> <code2>').description('the NCCI PTP edit between two codes, in either order')
    .option('--date <date>', 'date of service YYYY-MM-DD (default today)').option('--json', 'print JSON')
    .action(async (a: string, b: string, o: { date?: string; json?: boolean }) => emit(await withDatabase(({ orm }) => codesNcci(orm.em.fork(), a, b, o), CODE_TABLES_ONLY), o.json));
  codes.command('mue <code>').description('the MUE practitioner limit of a code')
    .option('--date <date>', 'date of service YYYY-MM-DD (default today)').option('--json', 'print JSON')
    .action(async (code: string, o: { date?: string; json?: boolean }) => emit(await withDatabase(({ orm }) => codesMue(orm.em.fork(), code, o), CODE_TABLES_ONLY), o.json));
  codes.command('describe <code>').description("set a consultant's plain-language description of a code")
    .requiredOption('--text <text>', 'the description').option('--author <name>', 'who wrote it').option('--json', 'print JSON')
    .action(async (code: string, o: { text?: string; author?: string; json?: boolean }) => emit(await withDatabase(({ orm }) => codesDescribe(orm.em.fork(), code, o)), o.json));
  codes.command('impact <release>').description('answers sent in the last IMPACT_LOOKBACK_DAYS whose cited facts a release changed (release id, or latest)')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => emit(await withDatabase(({ orm, config }) => codesImpact(orm.em.fork(), ref, { lookbackDays: config.env.IMPACT_LOOKBACK_DAYS })), o.json));
  codes.command('releases').description('the release of each system in force on a date')
    .option('--date <date>', 'YYYY-MM-DD (default today)').option('--json', 'print JSON')
    .action(async (o: { date?: string; json?: boolean }) => emit(await withDatabase(({ orm }) => codesReleases(orm.em.fork(), o), CODE_TABLES_ONLY), o.json));
}
