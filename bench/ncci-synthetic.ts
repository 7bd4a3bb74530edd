/**
 * Synthetic NCCI PTP and MUE files in the CMS layout, for `npm run bench:codes`: deterministic
 * (a seeded generator), made-up values only. A PTP release is written as CMS ships the
 * practitioner table: four parts (`ccipra-v320r0-f1.txt` … `-f4.txt`, split by column 1 code),
 * each latin-1 with CRLF, a copyright line and the column titles spread over several lines,
 * tab-separated rows sorted by column 1, column 2, effective date, and some keys listed twice
 * (a row deleted on its own effective date with indicator 9 beside the row in force). The "next
 * quarter" is the same table with 1 % of its rows changed: indicators flipped, edits deleted as
 * of the quarter, edits re-added with a new effective date. The MUE file is the CSV with a
 * quoted adjudication-indicator column, named `MCR_MUE_PractitionerServices_Eff_MM-DD-YYYY.csv`.
 *
 *   npx tsx bench/ncci-synthetic.ts <dir> [rows]     # writes both quarters and both MUE files
 */
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A deterministic pseudo-random generator (mulberry32): the same seed gives the same files. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RATIONALES = [
  'Misuse of column two code with column one code', 'Standards of medical / surgical practice', 'Mutually exclusive procedures',
  'CPT Manual or CMS manual coding instructions', 'HCPCS/CPT procedure code definition', 'More extensive procedure',
  'Gender-specific procedures', 'Anesthesia service included in surgical procedure', 'Laboratory panel', 'Sequential procedure',
];

const PTP_HEADER = [
  'CPT® only copyright 2025 American Medical Association. All rights reserved. (Synthetic benchmark data: made-up values.)',
  '',
  'Column1/Column 2 Edits',
  'Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale',
  '\t\tprior\tDate\tDate\t0=not allowed\t',
  '\t\tto 1996\t\t*=no data\t1=allowed\t',
  '\t\t\t\t\t9=not applicable\t',
  '',
];

/** The procedure codes the tables use: five-digit codes, Category III (`0275T`-like) and HCPCS. */
export function codePool(size: number): string[] {
  const random = seeded(7);
  const out = new Set<string>();
  while (out.size < size) {
    const r = random();
    if (r < 0.8) out.add(String(10000 + Math.floor(random() * 89999)));
    else if (r < 0.9) out.add(`0${String(Math.floor(random() * 999)).padStart(3, '0')}T`);
    else out.add(`${'ABCEGJKLQ'[Math.floor(random() * 9)]}${String(Math.floor(random() * 9999)).padStart(4, '0')}`);
  }
  return [...out].sort();
}

function ymd(random: () => number, from: number, to: number): string {
  const year = from + Math.floor(random() * (to - from + 1));
  const month = 1 + Math.floor(random() * 4) * 3;
  return `${year}${String(month).padStart(2, '0')}01`;
}

export interface PtpOptions {
  rows: number;
  /** `base`: the quarter before; `update`: the same table with 1 % of rows changed as of `quarter`. */
  variant: 'base' | 'update';
  /** First day of the update's quarter, YYYYMMDD. */
  quarter: string;
}

/** The data lines of a PTP release, in file order. */
export function* ptpLines(options: PtpOptions): Generator<string> {
  const pool = codePool(12_000);
  const random = seeded(11);
  const change = seeded(13);
  const perColumn1 = options.rows / pool.length;
  let written = 0;
  for (let c = 0; c < pool.length && written < options.rows; c += 1) {
    const count = Math.max(1, Math.round(perColumn1 * (0.2 + random() * 1.6)));
    let at = Math.floor(random() * 50);
    for (let k = 0; k < count && written < options.rows; k += 1) {
      at += 1 + Math.floor(random() * 6);
      const column2 = pool[at % pool.length];
      if (column2 === pool[c]) continue;
      const prior = random() < 0.05 ? '*' : '';
      const eff = prior ? '19960101' : ymd(random, 1997, 2025);
      const deleted = random() < 0.08;
      let del = deleted ? String(Number(eff.slice(0, 4)) + 1 + Math.floor(random() * 3)) + eff.slice(4) : '*';
      let mod = deleted && random() < 0.5 ? '9' : random() < 0.4 ? '0' : '1';
      const rationale = RATIONALES[Math.floor(random() * RATIONALES.length)];
      const twin = random() < 0.003;
      const changed = options.variant === 'update' && change() < 0.01 ? change() : -1;
      if (changed >= 0 && changed < 1 / 3 && mod !== '9') mod = mod === '0' ? '1' : '0';
      else if (changed >= 1 / 3 && changed < 2 / 3 && del === '*') del = options.quarter;
      const pair = `${pool[c]}\t${column2}`;
      if (twin) yield `${pair}\t${prior}\t${eff}\t${eff}\t9\t${rationale}`;
      yield `${pair}\t${prior}\t${eff}\t${del}\t${mod}\t${rationale}`;
      if (changed >= 2 / 3) yield `${pair}\t\t${options.quarter}\t*\t1\t${rationale}`;
      written += 1;
    }
  }
}

async function writeLatin1(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let chunk: string[] = [];
  const flush = async () => {
    if (!out.write(Buffer.from(`${chunk.join('\r\n')}\r\n`, 'latin1'))) await new Promise<void>((r) => out.once('drain', () => r()));
    chunk = [];
  };
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length >= 10_000) await flush();
  }
  if (chunk.length) await flush();
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Write one PTP release as four parts `<name>-f1.txt` … `-f4.txt`; returns their paths. */
export async function writePtpRelease(dir: string, name: string, options: PtpOptions): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const all = [...ptpLines(options)];
  const files: string[] = [];
  const per = Math.ceil(all.length / 4);
  for (let part = 0; part < 4; part += 1) {
    // Parts split between column 1 codes, as CMS splits them.
    let start = part * per;
    while (start > 0 && start < all.length && all[start].slice(0, 5) === all[start - 1].slice(0, 5)) start += 1;
    let end = Math.min(all.length, (part + 1) * per);
    while (end < all.length && all[end].slice(0, 5) === all[end - 1].slice(0, 5)) end += 1;
    const file = join(dir, `${name}-f${part + 1}.txt`);
    await writeLatin1(file, [...PTP_HEADER, ...all.slice(start, end)]);
    files.push(file);
  }
  return files;
}

const MUE_INDICATORS = ['"1 Line Edit"', '"2 Date of Service Edit: Policy"', '"3 Date of Service Edit: Clinical"'];
const MUE_RATIONALES = ['Anatomic Consideration', 'Clinical: Data', 'Code Descriptor / CPT Instruction', '"Nature of Service/Procedure, single draw"', 'CMS Policy'];

/** Write an MUE table of `rows` codes (`update`: 1 % of values changed) named for its effective date (MM-DD-YYYY). */
export async function writeMue(dir: string, effective: string, rows: number, variant: 'base' | 'update'): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const [y, m, d] = effective.split('-');
  const file = join(dir, `MCR_MUE_PractitionerServices_Eff_${m}-${d}-${y}.csv`);
  const random = seeded(17);
  const change = seeded(19);
  const pool = codePool(Math.max(rows, 12_000)).slice(0, rows);
  const lines = [
    '"CPT® codes, descriptions and other data only are copyright 2025 American Medical Association. All Rights Reserved. (Synthetic benchmark data: made-up values.)"',
    'HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale',
  ];
  for (const code of pool) {
    let value = 1 + Math.floor(random() * 30);
    if (variant === 'update' && change() < 0.01) value += 1;
    lines.push(`${code},${value},${MUE_INDICATORS[Math.floor(random() * 3)]},${MUE_RATIONALES[Math.floor(random() * MUE_RATIONALES.length)]}`);
  }
  await writeLatin1(file, lines);
  return file;
}

/** The bench's files: two quarters of PTP (2026Q1, 2026Q2 with 1 % changed) and two MUE tables. */
export async function writeBenchFiles(dir: string, rows = 1_500_000, mueRows = 15_000) {
  const q1 = await writePtpRelease(dir, 'ccipra-v320r0', { rows, variant: 'base', quarter: '20260101' });
  const q2 = await writePtpRelease(dir, 'ccipra-v321r0', { rows, variant: 'update', quarter: '20260401' });
  const mue1 = await writeMue(dir, '2026-01-01', mueRows, 'base');
  const mue2 = await writeMue(dir, '2026-04-01', mueRows, 'update');
  return { q1, q2, mue1, mue2 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'bench-data';
  const files = await writeBenchFiles(dir, Number(process.argv[3] ?? 1_500_000));
  process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
}
