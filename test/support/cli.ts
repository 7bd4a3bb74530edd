import { vi } from 'vitest';
import { main } from '../../workers/cli.ts';
import { dataKeyEnv } from './db.ts';
import type { TestDatabase } from './db.ts';

/**
 * Run `casedesk <args…>` in-process through the real entry point (workers/cli.ts's `main`, so the exit status
 * is exactly the CLI's: 0 ok, 2 bad usage or input, 1 another error), with extra environment
 * for the call (DATABASE_URL of the test database, …), capturing stdout and stderr.
 */
export async function runCasedesk(
  t: TestDatabase,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; out: string; err: string }> {
  const vars = { DATABASE_URL: t.db.driver === 'sqlite' ? t.db.path : t.db.url, ...dataKeyEnv(t.db), ...env };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const status = await main(['node', 'casedesk', ...args]);
    return { status, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
