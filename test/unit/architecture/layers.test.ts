import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, ROOT, sourceFiles } from './source-files.ts';

/**
 * The dependency direction of CaseDesk, lowest layer first: a file may import files of its own
 * layer or of a layer listed before it, never one listed after it. The path of one email reads
 * top to bottom: ingest → mail (parse, classify) → cases (thread, open, intake) → drafts →
 * review → send; the web page, the database opener, the CLI and the wiring sit above them all.
 *
 * Each layer is a group of folders (path prefixes; a file belongs to the longest prefix that
 * matches). Folders in one group may import each other (the cycle check still applies). A new
 * folder goes into the group of what it is used by or next to, or into a new group placed
 * above everything it imports and below everything that imports it. Some folders below are
 * still being written on other branches; they are listed so they slot in as they land.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/shared'], // errors, logger, queues, redis, database helpers, Message-ID helpers, roles
  ['config'], // the environment's zod schema (the only reader of process.env)
  ['src/crypto'], // envelope encryption: master key, keyring, encrypted column types
  ['src/audit'], // the hash-chained audit log core
  ['src/ingest'], // IMAP → stored raw message
  ['src/attachments'], // attachment storage, scan and text (coming; used by mail parse, drafts, web)
  ['src/codes/extract', 'src/mail/new-text.ts'], // the code extractor and the new-text reader, pure; read by the classifier and the PHI guard
  ['src/mail', 'src/mail/auth'], // parse, classify, new text, bounces; sender authentication (coming)
  ['src/codes'], // the code database and the extractor
  ['src/privacy'], // the PHI guard, pure (reads the extractor's hits to protect codes; used by cases, drafts and web)
  ['src/subscribers'], // who is subscribed, on which plan
  ['src/cases'], // thread, open, intake and its notices, the outbox rows of a case
  ['src/drafts', 'src/drafts/suggest'], // compose the reply and its evidence; suggested answers (coming)
  ['src/review'], // approve, reject, edit, users, audit
  ['src/retention'], // purge of raw sources and closed cases' content (RETAIN_*_DAYS)
  ['src/impact'], // release impact (coming)
  ['src/send'], // outbox row → SMTP
  ['src/web'], // review pages, JSON API, metrics
  ['src/db'], // opens the database with every feature's entities and migrations
  ['src/cli'], // the command tree (its process entry is workers/cli.ts)
  ['workers'], // wiring, queue adapters, the start-up sweep, process entries
];

/** Packages only some layers may import: the queue library stays in the queue module and workers/. */
const RESTRICTED_PACKAGES: Record<string, string[]> = {
  bullmq: ['src/shared/queues.ts', 'workers/'],
};

/** The layer index of a repository path, by its longest matching folder prefix; -1 when none matches. */
export function layerOf(file: string): number {
  let best = { length: -1, index: -1 };
  LAYERS.forEach((group, index) => {
    for (const folder of group) {
      if ((file === folder || file.startsWith(`${folder}/`)) && folder.length > best.length) best = { length: folder.length, index };
    }
  });
  return best.index;
}

describe('import graph of src/, workers/ and config/', () => {
  const files = sourceFiles();
  const graph = importGraph(files);

  it('reads the whole tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('src/cases/file-inbound.ts')?.map((e) => e.to)).toContain('src/mail/parse-stage.ts');
  });

  it('places every file in a layer (a new folder is added to LAYERS)', () => {
    expect(files.filter((f) => layerOf(f) === -1)).toEqual([]);
  });

  it('has no import cycle (files, type-only imports included)', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('imports only downward: no folder imports one listed above it in LAYERS', () => {
    const upward = [...graph.values()]
      .flat()
      .filter((e) => layerOf(e.to) > layerOf(e.from))
      .map((e) => `${e.from} → ${e.to}`);
    expect(upward).toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = [...graph.values()].flat().filter((e) => !graph.has(e.to)).map((e) => `${e.from} → ${e.specifier}`);
    expect(missing).toEqual([]);
  });

  it('keeps BullMQ in the queue module and workers/', () => {
    const offenders = files.flatMap((file) => {
      const imported = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
      return Object.entries(RESTRICTED_PACKAGES)
        .filter(([pkg, allowed]) => imported.includes(pkg) && !allowed.some((a) => file === a || (a.endsWith('/') && file.startsWith(a))))
        .map(([pkg]) => `${file} imports ${pkg}`);
    });
    expect(offenders).toEqual([]);
  });
});

describe('the layer check itself', () => {
  it('matches the longest folder prefix', () => {
    expect(layerOf('src/mail/auth/spf.ts')).toBe(layerOf('src/mail/classify.ts'));
    expect(layerOf('src/mailbox/x.ts')).toBe(-1);
    expect(layerOf('src/shared/errors.ts')).toBe(0);
    expect(layerOf('workers/main.ts')).toBe(LAYERS.length - 1);
  });

  it('orders the path of one email: ingest → mail → cases → drafts → review → send', () => {
    const order = ['src/ingest/x.ts', 'src/mail/x.ts', 'src/cases/x.ts', 'src/drafts/x.ts', 'src/review/x.ts', 'src/send/x.ts'].map(layerOf);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(order.length);
  });

  it('finds a cycle when there is one', () => {
    const edge = (from: string, to: string) => ({ from, to, specifier: to });
    const graph = new Map([
      ['a.ts', [edge('a.ts', 'b.ts')]],
      ['b.ts', [edge('b.ts', 'c.ts')]],
      ['c.ts', [edge('c.ts', 'a.ts')]],
      ['d.ts', [edge('d.ts', 'a.ts')]],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
