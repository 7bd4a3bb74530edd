import type { Command } from 'commander';
import { simpleParser } from 'mailparser';
import { looksLikeRfc5322, readMessage } from '../../codes/extract/index.ts';
import { extractNewText } from '../../mail/new-text.ts';
import { findPhi, type PhiSpan } from '../../privacy/index.ts';
import { printJson, readStdin } from '../context.ts';

/**
 * Registers `casedesk phi`: reads one message (raw RFC 5322, or plain text) on standard input,
 * takes its new text as the pipeline does (quoted history and signature dropped, HTML-only mail
 * as visible text), and lists the patient identifiers the PHI guard marks in it. The sender's
 * own address (From:) is not an identifier. `--json` prints
 * `{"spans":[{"kind","start","end","text"}]}` on one line, offsets into the new text.
 */
export function registerPhiCommand(program: Command): void {
  program
    .command('phi')
    .description('mark patient identifiers in a message (reads the message on stdin)')
    .option('--json', 'print {"spans":[…]} on one line')
    .action(async (options: { json?: boolean }) => {
      const result = await runPhi(await readStdin());
      if (options.json) printJson(result);
      else process.stdout.write(formatSpans(result.spans));
    });
}

/** The command's work without I/O: raw input in, the spans of its new text out. */
export async function runPhi(raw: Buffer | string): Promise<{ spans: PhiSpan[] }> {
  const { newText, senderAddress } = await readPhiInput(raw);
  return { spans: findPhi(newText, { senderAddress }) };
}

/** What the guard reads of one raw input: the new text (as the pipeline takes it) and the sender's address. */
export async function readPhiInput(raw: Buffer | string): Promise<{ newText: string; senderAddress: string | null }> {
  const message = await readMessage(raw);
  const newText = extractNewText({ text: message.text, html: message.html, subject: message.subject });
  return { newText, senderAddress: await readSenderAddress(raw) };
}

/** The From address of raw RFC 5322 input (lower case), or null for plain text or no From. */
async function readSenderAddress(raw: Buffer | string): Promise<string | null> {
  const source = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/^From [^\r\n:]*\r?\n/, '');
  if (!looksLikeRfc5322(source)) return null;
  const blank = /\r?\n\r?\n/.exec(source);
  const head = blank ? source.slice(0, blank.index) : source;
  const parsed = await simpleParser(Buffer.from(`${head}\r\n\r\n`), { skipHtmlToText: true, skipTextToHtml: true });
  return parsed.from?.value[0]?.address?.toLowerCase() || null;
}

/** The readable list: one line per span (kind, offsets, text). */
export function formatSpans(spans: PhiSpan[]): string {
  if (spans.length === 0) return 'no patient identifiers found\n';
  const lines = spans.map((s) => `  ${s.kind.padEnd(10)} ${`${s.start}-${s.end}`.padEnd(11)} ${JSON.stringify(s.text)}`);
  return `${spans.length} patient identifier${spans.length === 1 ? '' : 's'} in the new text:\n${lines.join('\n')}\n`;
}
