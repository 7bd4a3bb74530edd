// Entry of the attachment text worker thread. Worker threads do not inherit the TypeScript loader
// of the thread that starts them (tsx under the CLI, vite-node under vitest), so this plain ESM
// file registers tsx for its own thread (unless it runs compiled, from dist/), loads the readers (PDF, DOCX, HTML), and says it is ready.
import { parentPort } from 'node:worker_threads';
import { existsSync } from 'node:fs';

// Compiled (dist/, beside a .js): load it directly. Sources: register tsx for this thread first.
const compiled = new URL('./read-formats.js', import.meta.url);
const isCompiled = existsSync(compiled);
if (!isCompiled) (await import('tsx/esm/api')).register();
const { readAttachmentText } = await import(isCompiled ? compiled.href : './read-formats.ts');

parentPort.on('message', async ({ bytes, kind, limits }) => {
  try {
    parentPort.postMessage({ result: await readAttachmentText(bytes, kind, limits) });
  } catch (err) {
    const reason = `reading failed: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}`;
    parentPort.postMessage({ result: { status: 'failed', code: 'worker', reason } });
  }
});
parentPort.postMessage({ ready: true });
