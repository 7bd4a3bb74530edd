import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // dist/ from the current sources: tests that spawn bin/casedesk.js run the compiled code.
    globalSetup: ['test/support/build-dist.ts'],
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
          // Integration files share real servers (Dovecot users, Redis, PostgreSQL):
          // run them one after another, each with its own queue prefix and database.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
