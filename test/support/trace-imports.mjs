// `node --import ./test/support/trace-imports.mjs …`: appends the URL of every module the process
// loads (ESM imports and the CommonJS modules they pull in through import) to the file named by
// TRACE_IMPORTS_FILE, one per line. Used by test/unit/cli/lazy-commands.test.ts.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
const out = process.env.TRACE_IMPORTS_FILE;
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (out && !result.url.startsWith('node:')) appendFileSync(out, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
