import type { Command } from 'commander';
import { appendAudit, verifyAuditChain } from '../../audit/audit-chain-store.ts';
import { auditCsvHeader, auditCsvLine, exportAudit, type AuditFilter } from '../../audit/audit-export.ts';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { parseCaseRef } from '../case-ref.ts';
import { printJson, withDatabase } from '../context.ts';

/** A broken chain: exit status 1 with the first problem on stderr. */
class AuditChainBrokenError extends AppError {
  constructor(message: string) {
    super('audit_chain_broken', message);
  }
}

function parseFilter(opts: { since?: string; user?: string; case?: string }): AuditFilter {
  const filter: AuditFilter = {};
  if (opts.since) {
    const since = new Date(opts.since);
    if (Number.isNaN(since.getTime())) throw new ValidationError(`--since: not a date: ${opts.since} (use YYYY-MM-DD or an ISO time)`);
    filter.since = since;
  }
  if (opts.user) filter.user = opts.user.trim().toLowerCase() === 'cli' ? 'cli' : opts.user.trim();
  if (opts.case) filter.caseId = parseCaseRef(String(opts.case), '--case');
  return filter;
}

/** Registers `casedesk audit`: verify the hash chain, export entries. Neither changes an entry. */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log: verify, export');
  audit.command('verify')
    .description('check every entry against its hash and its predecessor; exit 1 on a broken chain')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async ({ orm }) => {
        const result = await verifyAuditChain(orm.em.fork());
        if (opts.json) printJson(result);
        else if (result.ok) process.stdout.write(`audit chain intact: ${result.entries} entries; head seq ${result.lastSeq} hash ${result.lastHash}\n`);
        if (!result.ok) throw new AuditChainBrokenError(`audit chain BROKEN (${result.problem!.kind}) at seq ${result.problem!.seq ?? '-'} id ${result.problem!.id ?? '-'}: ${result.problem!.detail}`);
      }, { keyless: true });
    });
  audit.command('export')
    .description('audit entries in chain order as JSON lines (default) or CSV; the export itself is audited')
    .option('--since <date>', 'entries at or after this date/time')
    .option('--user <email>', 'entries by this actor')
    .option('--case <n>', 'entries about this case')
    .option('--json', 'JSON lines (the default)')
    .option('--csv', 'CSV with a header line')
    .action(async (opts: { since?: string; user?: string; case?: string; json?: boolean; csv?: boolean }) => {
      if (opts.json && opts.csv) throw new ValidationError('choose --json or --csv');
      const filter = parseFilter(opts);
      await withDatabase(async ({ orm }) => {
        const em = orm.em.fork();
        let n = 0;
        if (opts.csv) process.stdout.write(auditCsvHeader);
        for await (const e of exportAudit(em, filter)) {
          process.stdout.write(opts.csv ? auditCsvLine(e) : `${JSON.stringify(e)}\n`);
          n += 1;
        }
        await appendAudit(orm.em.fork(), {
          actor: 'cli',
          action: 'audit.export',
          caseId: filter.caseId ?? null,
          details: { since: filter.since?.toISOString() ?? null, user: filter.user ?? null, format: opts.csv ? 'csv' : 'json', entries: n },
        });
      }, { keyless: true });
    });
}
