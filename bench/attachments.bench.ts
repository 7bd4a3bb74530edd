/**
 * `npm run bench:attachments`: what one 1 MB PDF attachment costs. Two PDFs of 1 MiB: a two-page
 * denial letter with an incompressible scanned image (the usual shape), and 1 MiB of text pages
 * (the most text to read per byte). For each: describe (SHA-256 + sniffing), the clamd INSTREAM
 * scan, and text extraction on a reader thread (first read includes starting the thread). Median
 * and p90 of 15 runs after 3 warm-ups, wall-clock milliseconds, and this process's CPU time per run.
 *
 * clamd: CLAMAV_URL, else tcp://127.0.0.1:$CLAMD_PORT (3310) — start it with scripts/services.sh.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseClamavUrl } from '../src/attachments/clamav-url.ts';
import { pingClamd, scanWithClamd } from '../src/attachments/clamd-client.ts';
import { describeAttachment } from '../src/attachments/describe.ts';
import { DEFAULT_ATTACHMENT_LIMITS } from '../src/attachments/limits.ts';
import { TextExtractor } from '../src/attachments/text-extractor.ts';
import { makeLetterPdf, makeTextPdf } from '../test/fixtures/attachments/make-files.ts';

const MB = 1024 * 1024;
const RUNS = 15;
const WARMUP = 3;
const clamd = { address: parseClamavUrl(process.env.CLAMAV_URL ?? `tcp://127.0.0.1:${process.env.CLAMD_PORT ?? 3310}`), timeoutMs: 30_000 };

interface Figures {
  median: number;
  p90: number;
  /** This process's CPU time per run, all threads (on a loaded machine wall time is mostly waiting). clamd's own CPU is not in it. */
  cpu: number;
}

async function time(fn: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p90: samples[Math.floor(samples.length * 0.9)]!, cpu: (cpu.user + cpu.system) / 1000 / RUNS };
}

function line(label: string, f: Figures, note = ''): void {
  process.stdout.write(`${label.padEnd(36)} median ${f.median.toFixed(1).padStart(7)} ms   p90 ${f.p90.toFixed(1).padStart(7)} ms   cpu ${f.cpu.toFixed(1).padStart(7)} ms${note}\n`);
}

process.stdout.write(`attachments bench: ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
const clamdUp = await pingClamd(clamd);
if (!clamdUp) process.stdout.write(`clamd at ${process.env.CLAMAV_URL ?? `port ${process.env.CLAMD_PORT ?? 3310}`} does not answer: scan figures skipped (scripts/services.sh start)\n`);

const extractor = new TextExtractor({ threads: 1 });
try {
  for (const [label, pdf] of [['letter + scanned image', makeLetterPdf(MB)], ['text only', makeTextPdf(MB)]] as const) {
    process.stdout.write(`\n1 MB PDF, ${label}: ${pdf.length} bytes\n`);
    line('  describe (sha256 + sniff)', await time(() => describeAttachment({ filename: 'a.pdf', contentType: 'application/pdf', content: pdf }, 0, { maxBytes: 15 * MB })));
    if (clamdUp) {
      const result = await scanWithClamd(pdf, clamd);
      line('  clamd INSTREAM scan', await time(() => scanWithClamd(pdf, clamd)), `   (${result.status})`);
    }
    const cold = performance.now();
    const first = await extractor.extract(pdf, 'pdf', DEFAULT_ATTACHMENT_LIMITS);
    const firstMs = performance.now() - cold;
    const chars = first.status === 'text' ? `${first.text.length} chars, ${first.pages} pages` : `${first.status}`;
    line('  text extraction (reader thread)', await time(() => extractor.extract(pdf, 'pdf', DEFAULT_ATTACHMENT_LIMITS)), `   (${chars}; first read ${firstMs.toFixed(0)} ms)`);
  }
} finally {
  await extractor.close();
}
