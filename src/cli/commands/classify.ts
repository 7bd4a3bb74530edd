import type { Command } from 'commander';
import { loadConfig } from '../../../config/index.ts';
import { readBounce } from '../../mail/bounce.ts';
import { classifyMessage } from '../../mail/classify.ts';
import { ParsePool, parseLimitsFromEnv } from '../../mail/safe-parse.ts';
import { ValidationError } from '../../shared/errors.ts';
import { printJson, readStdin } from '../context.ts';

/**
 * Registers `casedesk classify`: read one raw message on stdin, parse it with the same limits
 * and worker thread as the parse stage, and print `{"kind","answerable","reasons"}` on one line.
 * A message over a parse limit prints kind `quarantined` with the reason. `--bounce` adds what
 * the bounce reader found. The output is JSON either way; `--json` is accepted for scripts that
 * say so explicitly.
 */
export function registerClassifyCommand(program: Command): void {
  program
    .command('classify')
    .description('classify one raw message read on stdin (human, auto-reply, bounce, list, …)')
    .option('--json', 'print JSON on one line (the default)')
    .option('--bounce', 'also print what the bounce reader found (returned Message-IDs, status)')
    .action(async (options: { json?: boolean; bounce?: boolean }) => {
      const config = loadConfig();
      const raw = await readStdin();
      if (raw.length === 0) throw new ValidationError('no message on standard input');
      const pool = new ParsePool({ threads: 1 });
      try {
        const result = await pool.parse(raw, parseLimitsFromEnv(config.env));
        if (!result.ok) {
          printJson({ kind: 'quarantined', answerable: false, reasons: [`${result.code}: ${result.reason}`] });
          return;
        }
        const classification = classifyMessage(result.message, {
          ownDomains: [config.messageIdDomain],
          ownAddresses: [config.env.MAIL_FROM],
        });
        printJson(options.bounce ? { ...classification, bounce: readBounce(result.message) } : classification);
      } finally {
        await pool.close();
      }
    });
}
