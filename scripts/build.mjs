#!/usr/bin/env node
// Compile the TypeScript sources the processes run (src/, config/, workers/) to dist/ as plain
// ES modules: one .js per .ts, same layout, relative `.ts` imports rewritten to `.js`, no type
// check (that is `npm run typecheck`). Runs from `npm ci` / `npm install` (the `prepare` script),
// so `bin/casedesk.js` starts without compiling anything. Also copies the .mjs worker-thread
// entries and links templates/ and public/ beside dist/src/ so `new URL('../../templates/…',
// import.meta.url)` resolves the same from dist/ as from the sources.
//
// MikroORM (its five packages with knex, lodash, fs-extra, globby, umzug…: about 700 CommonJS
// files), zod (95 ES modules) and mailparser (~60 files with iconv-lite, libmime, html-to-text)
// are bundled into dist/vendor/ as ES modules sharing one copy of @mikro-orm/core, and the
// compiled code imports them from there. Node then reads a handful of files instead of 850, and
// its ES-module loader no longer runs the CommonJS export lexer over every re-export of
// @mikro-orm/core. On this VM `casedesk codes lookup` starts in ~0.46 s instead of ~0.7 s and
// `casedesk extract` in ~0.28 s instead of ~0.36 s (issue 11). Native and optional drivers stay
// in node_modules (VENDOR_EXTERNAL); the worker-thread .mjs entries import node_modules directly.
// Tests and tsx run the sources against node_modules as before.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'config', 'workers'];
const LINKED_DIRS = ['templates', 'public'];
const VENDORED = ['@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/better-sqlite', '@mikro-orm/postgresql', '@mikro-orm/migrations', 'zod', 'mailparser'];
/** Left to node_modules: native addons, and drivers and tools knex or MikroORM load only if installed. */
const VENDOR_EXTERNAL = [
  'better-sqlite3', 'pg-native', 'sqlite3', 'mysql', 'mysql2', 'oracledb', 'tedious', 'pg-query-stream', 'mariadb', 'libsql',
  'ts-morph', 'ts-node', '@mikro-orm/entity-generator', '@mikro-orm/seeder', '@mikro-orm/reflection', '@mikro-orm/mongodb',
  '@mikro-orm/mysql', '@mikro-orm/mariadb', '@mikro-orm/sqlite', '@mikro-orm/mssql', '@mikro-orm/libsql', '@mikro-orm/cli',
];
const vendorFile = (pkg) => `${pkg.replace('@mikro-orm/', '')}.js`; // no package of the list shares a base name

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
    plugins: [keepImportsExternal(tmp)],
  });
  await buildVendor(esbuild, join(tmp, 'vendor'));
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

/**
 * Every import stays an import; a relative one to a .ts file points at the .js beside it, and one
 * of a vendored package at its bundle in dist/vendor/.
 */
function keepImportsExternal(outdir) {
  return {
    name: 'keep-imports-external',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (VENDORED.includes(args.path)) {
          const from = dirname(join(outdir, relative(ROOT, args.importer)));
          const path = relative(from, join(outdir, 'vendor', vendorFile(args.path))).split(sep).join('/');
          return { path: path.startsWith('.') ? path : `./${path}`, external: true };
        }
        const path = /^\.\.?\//.test(args.path) ? args.path.replace(/\.ts$/, '.js') : args.path;
        return { path, external: true };
      });
    },
  };
}

/**
 * Bundle the VENDORED packages into `outdir`, one ES module each, their shared code (one
 * @mikro-orm/core, one knex) in common chunks. A CommonJS package has no static export list, so
 * each entry names the package's exports as read by requiring it here.
 */
async function buildVendor(esbuild, outdir) {
  const require = createRequire(join(ROOT, 'package.json'));
  const entryPoints = Object.fromEntries(VENDORED.map((pkg) => [vendorFile(pkg).replace(/\.js$/, ''), `vendor:${pkg}`]));
  await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: VENDOR_EXTERNAL,
    // Less text for V8 to read at every start. Identifiers keep their names: MikroORM reads
    // function parameter names and constructor names at run time.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    // Bundled CommonJS still calls require() for what stays external (and MikroORM's own
    // requireFrom): give the modules Node's.
    banner: { js: "import { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);" },
    logLevel: 'warning',
    plugins: [{
      name: 'vendor-entries',
      setup(build) {
        build.onResolve({ filter: /^vendor:/ }, (args) => ({ path: args.path.slice('vendor:'.length), namespace: 'vendor' }));
        // A relative require of a package.json that finds nothing where the package lies
        // (MikroORM's version probe tries '../../package.json' before '../package.json', in a
        // try) must keep failing from dist/vendor/, where it would find CaseDesk's own.
        build.onResolve({ filter: /^\.\.?\/.*package\.json$/ }, (args) => {
          if (!args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
          try {
            createRequire(args.importer).resolve(args.path);
            return undefined;
          } catch {
            return { path: `casedesk-not-bundled/${args.path.replace(/[^\w]+/g, '-')}`, external: true };
          }
        });
        build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => {
          const names = Object.keys(require(args.path)).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
          return {
            contents: `import * as m from '${args.path}';\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`,
            resolveDir: ROOT,
            loader: 'js',
          };
        });
      },
    }],
  });
}

await main();
