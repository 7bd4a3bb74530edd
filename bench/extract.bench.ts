/**
 * `npm run bench:extract`: time to extract codes from a 10 KB message (EXTRACTION target:
 * median ≤ 0.5 ms). Three figures: extractCodes on 10 KB of new text; extractNewText +
 * extractCodes on a 10 KB reply (new text, quoted history, signature); and extractNewText on a
 * 10 KB HTML-only message. Each is run after a warm-up; median and p99 in microseconds.
 */
import { availableParallelism, loadavg } from 'node:os';
import { extractCodes } from '../src/codes/extract/index.ts';
import { extractNewText } from '../src/mail/new-text.ts';

const PARAGRAPHS = [
  'Hi, quick question on 99213-25 with 20610-RT on the same day, dx M17.11 and M5450. Payer is BCBS TX, claim #2025011500441.',
  'We also billed 97110 x3, 97140-59 and 97530*2 for the lumbar region (L4-L5). Do we need GP or is KX enough after $2,410?',
  'Signature block: Jane Doe, CPC | 4100 Granite Ave, Ste 220, Boulder, CO 80301 | P: (303) 555-0144 ext. 20610 | NPI 1548293011.',
  'The LCD L33318 and article A52465 list J1885x2 and L3908 as covered; ICD-9 V72.6 was the old code. Ticket #20551 is open.',
  'For the inpatient stay the facility coded 0DTJ4ZZ; pro fee 43239 with K21.9. DOS 01/15/2025, paid $97.76, 10000 units heparin.',
  'Modalities 97010 through 97039 and 99202-99205 for new patients; POS 02 with modifier 95; modifiers 02, 10, 11 meaning POS.',
];

function build(size: number, join: (i: number, p: string) => string): string {
  let out = '';
  for (let i = 0; out.length < size; i++) out += join(i, PARAGRAPHS[i % PARAGRAPHS.length]!);
  return out.slice(0, size);
}

/** A typical 10 KB reply: a short question on top of an Outlook thread, signature, disclaimer. */
const head =
  'Hi,\n\nFollowing up on the claim: we billed 99214-25 with 20610-RT and J3301 x4 (40 mg), dx M17.11 and E1165. ' +
  'Payer (Humana, payer ID 61101) denied 20610 with CO-97. Do we need 59 or XS on the injection? DOS 01/15/2025.\n\n' +
  'Thanks,\nJane Doe, CPC | 4100 Granite Ave, Ste 220, Boulder, CO 80301 | P: (303) 555-0144 ext. 20610 | NPI 1548293011\n\n';
const typical =
  head +
  build(10 * 1024 - head.length, (i, p) =>
    i % 5 === 0
      ? `From: CaseDesk <ask@casedesk.example>\nSent: Monday, January 13, 2025 4:02 PM\nTo: Jane Doe\nSubject: RE: claim\n\n${p}\n`
      : `${p}\nCONFIDENTIALITY NOTICE: this e-mail may contain protected health information.\n`,
  );

const newText = build(10 * 1024, (_i, p) => `${p}\n\n`);
const reply = build(10 * 1024 - 600, (i, p) => (i % 3 === 0 ? `> ${p}\n` : `${p}\n`)) + '\n-- \nJane Doe\nPhone 555-0100 x20611\n'.repeat(20);
const html = build(10 * 1024, (_i, p) => `<p style="color:#999999;font-family:Arial">${p.replace(/&/g, '&amp;')}&nbsp;</p>`);

function time(name: string, fn: () => unknown, iterations = 4000): void {
  for (let i = 0; i < 300; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const p99 = samples[Math.floor(samples.length * 0.99)]!;
  // CPU time per call as well: on a shared, loaded machine wall time mostly measures waiting.
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const cpu = process.cpuUsage(cpu0);
  const cpuPerCall = (cpu.user + cpu.system) / iterations;
  process.stdout.write(
    `${name.padEnd(44)} median ${median.toFixed(1).padStart(7)} µs   p99 ${p99.toFixed(1).padStart(8)} µs   cpu ${cpuPerCall.toFixed(1).padStart(7)} µs/call\n`,
  );
}

const load = loadavg()[0]!;
process.stdout.write(`machine: ${availableParallelism()} cores, load average ${load.toFixed(2)}${load > availableParallelism() ? ' (busy: timings inflated)' : ''}\n`);
process.stdout.write(`message sizes: typical ${typical.length} B, new text ${newText.length} B, reply ${reply.length} B, html ${html.length} B\n`);
time('extractNewText + extractCodes, typical 10 KB', () =>
  extractCodes({ subject: 'RE: denial 20610', body: extractNewText({ text: typical }) }),
);
time('extractCodes, 10 KB new text (~200 codes)', () => extractCodes({ subject: 'RE: 99214 question', body: newText }));
time('extractNewText + extractCodes, 10 KB reply', () =>
  extractCodes({ subject: 'RE: 99214 question', body: extractNewText({ text: reply }) }),
);
time('extractNewText, 10 KB HTML-only', () => extractNewText({ text: '', html }), 1000);
