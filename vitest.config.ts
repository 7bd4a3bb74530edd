import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // dist/ from the current sources: tests that spawn bin/casedesk.js run the compiled code.
    globalSetup: ['test/support/build-dist.ts'],
    // Two test files at a time, unit and integration alike (vitest's default on a 2-CPU machine is
    // one: CPUs - 1). Integration files wait on servers more than they compute, and each has its
    // own database, queue prefix, Dovecot mailbox and ports, so they can share the servers.
    // TEST_MAX_WORKERS=1 runs every file one after another.
    maxWorkers: Number(process.env.TEST_MAX_WORKERS ?? 2),
    // The tests configure CaseDesk themselves: the `.env` of a local demo (scripts/run-local.sh
    // writes one with its mailbox and SMTP sink) is not read, by the CLI run in-process or by a
    // spawned bin/casedesk.js (they inherit this).
    env: { CASEDESK_ENV_FILE: '/dev/null' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Integration files share real servers (Dovecot, Redis, PostgreSQL, clamd) but never
          // what is on them: each makes its own database, queue prefix (test/support/redis.ts)
          // and Dovecot folder (createTestMailbox; mail delivered over LMTP is moved there by its
          // Message-ID), and takes free ports. A new file must do the same: never read or empty
          // the service INBOX, never listen on a fixed port.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
