// Entry of the parse worker thread. Worker threads do not inherit the TypeScript loader of the
// thread that starts them (tsx under the CLI, vite-node under vitest), so this plain ESM file
// registers tsx for its own thread and then loads the TypeScript parse code.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseRaw } = await import('./parse-worker.ts');

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
