import type { Command } from 'commander';
import { readMessage } from '../../codes/extract/index.ts';
import { today } from '../../codes/normalize.ts';
import { extractNewText } from '../../mail/new-text.ts';
import { ValidationError } from '../../shared/errors.ts';
import { suggestAnswer, suggestPortFor, toContractJson, type Suggestion } from '../../drafts/suggest/index.ts';
import { CODE_TABLES_ONLY, printJson, readStdin, withDatabase } from '../context.ts';
import type { Orm } from '../../db/orm.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HTML_DOCUMENT = /^\s*<(?:!doctype|html|body|div|p|table)\b/i;

/**
 * Registers `casedesk suggest [--date YYYY-MM-DD] [--json] < message` (SUGGEST.md): the answer
 * the draft stage would suggest for one message, from the configured code database, outside the
 * queue. The date of service is the one written in the message, else `--date`, else today.
 */
export function registerSuggestCommand(program: Command): void {
  program
    .command('suggest')
    .description('print the suggested answer for a message read on stdin (RFC 5322 or plain text)')
    .option('--date <date>', 'date of service YYYY-MM-DD when the message writes none (default today)')
    .option('--json', 'print {"intents","answer","facts","missing"} on one line')
    .action(async (o: { date?: string; json?: boolean }) => {
      const raw = await readStdin();
      const s = await withDatabase(({ orm }) => runSuggest(orm, raw, o), CODE_TABLES_ONLY);
      if (o.json) printJson(toContractJson(s));
      else if (s.answer) process.stdout.write(`${s.answer}\n`);
      else process.stderr.write('casedesk: no suggested answer (question not recognised): the consultant writes it\n');
    });
}

/** The command's work: raw input and options in, the suggestion out. */
export async function runSuggest(orm: Orm, raw: Buffer | string, options: { date?: string }): Promise<Suggestion> {
  if (options.date !== undefined && !(ISO_DATE.test(options.date) && !Number.isNaN(Date.parse(`${options.date}T00:00:00Z`)))) {
    throw new ValidationError(`--date "${options.date}" is not a date (YYYY-MM-DD)`);
  }
  const message = await readMessage(raw);
  // Plain input that is an HTML document (a body saved without its headers) is read as HTML.
  if (message.html === null && HTML_DOCUMENT.test(message.text)) Object.assign(message, { html: message.text, text: '' });
  const text = extractNewText({ text: message.text, html: message.html, subject: message.subject });
  return suggestAnswer(suggestPortFor(orm.em.fork()), { subject: message.subject, text, fallbackDate: options.date ?? today() });
}
