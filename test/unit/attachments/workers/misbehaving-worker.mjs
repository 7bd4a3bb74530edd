// A text reader thread for tests: the real readers, except that content starting with HANG loops
// forever, with BOMB allocates until the heap cap kills the thread, and with EXIT exits the thread.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readAttachmentText } = await import('../../../../src/attachments/read-formats.ts');

parentPort.on('message', async ({ bytes, kind, limits }) => {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  if (head === 'HANG') for (;;);
  if (head === 'BOMB') {
    const hold = [];
    for (;;) hold.push(new Array(1e6).fill(hold.length));
  }
  if (head === 'EXIT') process.exit(3);
  parentPort.postMessage({ result: await readAttachmentText(bytes, kind, limits) });
});
parentPort.postMessage({ ready: true });
