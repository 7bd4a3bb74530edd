// Entry of the parse worker thread. Worker threads do not inherit the TypeScript loader of the
// thread that starts them (tsx under the CLI, vite-node under vitest), so this plain ESM file
// registers tsx for its own thread (unless it runs compiled, from dist/) and then loads the TypeScript parse code.
import { parentPort } from 'node:worker_threads';
import { existsSync } from 'node:fs';

// Compiled (dist/, beside a .js): load it directly. Sources: register tsx for this thread first.
const compiled = new URL('./parse-worker.js', import.meta.url);
const isCompiled = existsSync(compiled);
if (!isCompiled) (await import('tsx/esm/api')).register();
const { parseRaw } = await import(isCompiled ? compiled.href : './parse-worker.ts');

parentPort.on('message', async ({ id, raw, limits }) => {
  try {
    parentPort.postMessage({ id, result: await parseRaw(raw, limits) });
  } catch (err) {
    // The class only: a parser's message can quote the mail.
    const reason = `parse failed: ${err instanceof Error ? err.name : 'unknown error'}`;
    parentPort.postMessage({ id, result: { ok: false, code: 'unparseable', reason } });
  }
});
parentPort.postMessage({ ready: true });
