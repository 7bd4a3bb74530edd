import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// dist/ is compiled by the vitest global setup (test/support/build-dist.ts) from this checkout.
const DIST = resolve(import.meta.dirname, '../../../dist');
const VENDORED = /^(?:@mikro-orm\/.*|zod(?:\/.*)?|mailparser(?:\/.*)?)$/;

function compiledFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) compiledFiles(path, out);
    else if (entry.name.endsWith('.js')) out.push(path);
  }
  return out;
}

/** Every module specifier a compiled file imports (static and dynamic). */
function specifiers(source: string): string[] {
  const found = [...source.matchAll(/\bfrom\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)|\bimport\s*"([^"]+)"/g)];
  return found.map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('the compiled CLI and service import MikroORM, zod and mailparser from their bundles in dist/vendor/', () => {
  it('leaves no import of a vendored package to node_modules (a second copy of @mikro-orm/core would break its instanceof checks)', () => {
    const files = ['src', 'workers', 'config'].flatMap((d) => compiledFiles(join(DIST, d)));
    expect(files.length).toBeGreaterThan(100);
    const strays: string[] = [];
    let vendorImports = 0;
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (VENDORED.test(spec)) strays.push(`${file.slice(DIST.length + 1)}: ${spec}`);
        if (/\/vendor\/(?:core|knex|better-sqlite|postgresql|migrations|zod|mailparser)\.js$/.test(spec)) vendorImports += 1;
      }
    }
    expect(strays).toEqual([]);
    expect(vendorImports).toBeGreaterThan(50); // the sources import them in ~120 places
  });

  it('bundles each vendored package as one ES module whose exports are the package’s own', async () => {
    const core = await import(join(DIST, 'vendor/core.js'));
    const zod = await import(join(DIST, 'vendor/zod.js'));
    const mailparser = await import(join(DIST, 'vendor/mailparser.js'));
    for (const name of ['MikroORM', 'EntitySchema', 'Type', 'UniqueConstraintViolationException', 'wrap']) expect(typeof core[name], name).toBe('function');
    expect(typeof zod.z.object).toBe('function');
    const parsed = await mailparser.simpleParser('Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nbody\r\n');
    expect(parsed.subject).toBe('café');
  });
});
