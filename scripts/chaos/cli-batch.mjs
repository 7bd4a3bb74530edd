// Runs many `casedesk` commands in one process, through the CLI's own entry point (`main`,
// the module bin/casedesk.js loads): the same parsing, validation and actions as
// `casedesk subscribers add …`, without paying a Node + tsx start-up per command (seconds each
// on a busy 2-core machine). Input: a JSON array of argument arrays on stdin. Exit status: the
// first non-zero status of a command, else 0.
//
//   echo '[["subscribers","add","a@b.test","--plan","trial"]]' | node scripts/chaos/cli-batch.mjs
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = readFileSync(join(root, 'bin/casedesk.js'), 'utf8');
// The first relative module bin/casedesk.js names that exists: the compiled dist/ entry, else the sources.
const entries = [...bin.matchAll(/(?:import\(|new URL\()['"](\.\.?\/[^'"]+)['"]/g)].map((m) => resolve(root, 'bin', m[1]));
const entry = entries.find((file) => existsSync(file));
if (!entry) throw new Error('cannot find the CLI entry module in bin/casedesk.js');
const cli = await import(pathToFileURL(entry).href);
// workers/cli.ts exports `main(argv)` (runCli wired to the process starter); older entries exported runCli.
const run = cli.main ?? cli.runCli;
if (typeof run !== 'function') throw new Error('the CLI entry module exports neither main nor runCli');

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const commands = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let status = 0;
for (const args of commands) {
  const code = await run([process.execPath, 'casedesk', ...args]);
  if (code !== 0) {
    process.stderr.write(`cli-batch: casedesk ${args.slice(0, 2).join(' ')} exited ${code}\n`);
    if (status === 0) status = code;
  }
}
process.exitCode = status;
setTimeout(() => process.exit(status), 500).unref();
