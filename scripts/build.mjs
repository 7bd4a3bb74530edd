#!/usr/bin/env node
// Compile the TypeScript sources the processes run (src/, config/, workers/) to dist/ as plain
// ES modules: one .js per .ts, same layout, relative `.ts` imports rewritten to `.js`, no type
// check (that is `npm run typecheck`). Runs from `npm ci` / `npm install` (the `prepare` script),
// so `bin/casedesk.js` starts without compiling anything. Also copies the .mjs worker-thread
// entries and links templates/ and public/ beside dist/src/ so `new URL('../../templates/…',
// import.meta.url)` resolves the same from dist/ as from the sources.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'config', 'workers'];
const LINKED_DIRS = ['templates', 'public'];

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

async function main() {
  if (!existsSync(join(ROOT, 'src'))) {
    console.error('build: no src/ here (dependency-only install); nothing to compile');
    return;
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.error('build: esbuild is not installed; skipped (bin/casedesk.js falls back to tsx)');
    return;
  }
  const started = Date.now();
  const files = SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)));
  const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  // Built beside dist/ and swapped in, so a process starting meanwhile sees the old or the new tree.
  const tmp = `${OUT}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outbase: ROOT,
    outdir: tmp,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: true, // only so the plugin sees every import; each one is left external
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [keepImportsExternal()],
  });
  for (const file of files.filter((f) => f.endsWith('.mjs'))) {
    const target = join(tmp, relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
  for (const dir of LINKED_DIRS) symlinkSync(join('..', dir), join(tmp, dir), 'dir');
  // Two renames, microseconds apart (a directory cannot be renamed over a non-empty one).
  const old = `${OUT}.${process.pid}.old`;
  if (existsSync(OUT)) renameSync(OUT, old);
  renameSync(tmp, OUT);
  rmSync(old, { recursive: true, force: true });
  console.error(`build: compiled ${entryPoints.length} files to dist/ in ${Date.now() - started} ms`);
}

/** Every import stays an import; a relative one to a .ts file points at the .js beside it. */
function keepImportsExternal() {
  return {
    name: 'keep-imports-external',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const path = /^\.\.?\//.test(args.path) ? args.path.replace(/\.ts$/, '.js') : args.path;
        return { path, external: true };
      });
    },
  };
}

await main();
