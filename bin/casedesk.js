#!/usr/bin/env node
// The `casedesk` command. Runs the compiled code in dist/ (built by `npm ci` / `npm install`
// through the `prepare` script, or `npm run build`). In a development checkout without dist/ it
// falls back to running the TypeScript sources through tsx, which adds ~2 s to every start.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/workers/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('casedesk: dist/ is missing, running the sources through tsx (slow start; `npm run build` compiles)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../workers/cli.ts');
}
