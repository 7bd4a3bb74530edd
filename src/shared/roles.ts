/**
 * The roles a CaseDesk process can run: `casedesk start` runs them all, `ingest`, `worker
 * --queues …` and `web` run subsets. workers/main.ts starts them; the CLI only names them.
 */
export const ROLES = ['ingest', 'parse', 'scan', 'draft', 'send', 'web'] as const;
export type Role = (typeof ROLES)[number];

/** The roles `casedesk worker --queues` accepts: one per queue. */
export const QUEUE_ROLES: Role[] = ['parse', 'scan', 'draft', 'send'];
