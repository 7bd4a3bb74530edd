import type { Orm } from '../src/db/orm.ts';
import { purge, type RetentionPolicy } from '../src/retention/purge.ts';
import { logSafeError } from '../src/shared/log-safe-error.ts';
import type { Logger } from '../src/shared/logger.ts';

export const PURGE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * The daily retention run of a worker process: once a few minutes after start, then every 24
 * hours. The purge is idempotent (each batch selects what is still there), so several worker
 * processes running it, or a run cut short by a restart, are harmless. Returns the stop function.
 */
export function startDailyPurge(deps: { orm: Orm; log: Logger; policy: RetentionPolicy; firstAfterMs?: number; intervalMs?: number }): () => void {
  if (deps.policy.rawDays == null && deps.policy.caseDays == null) return () => {};
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= purge(deps.orm.em.fork(), deps.policy, { actor: 'worker' })
      .then((r) => deps.log.info({ rawPurged: r.rawPurged, casesPurged: r.casesPurged }, 'retention purge done'))
      .catch((err: unknown) => deps.log.error({ err: logSafeError(err) }, 'retention purge failed'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(run, deps.firstAfterMs ?? 5 * 60_000);
  const every = setInterval(run, deps.intervalMs ?? PURGE_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
