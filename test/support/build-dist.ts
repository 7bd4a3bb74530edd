import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: compile dist/ from the current sources before any test runs, so the tests
 * that spawn `node bin/casedesk.js` run the compiled code of this checkout, never a stale build.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
