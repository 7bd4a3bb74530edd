import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The project's own source files and the import graph between them, read with the TypeScript
 * compiler (`preProcessFile`: every `import`, `import type`, `export … from` and `import()`).
 * Paths are repository-relative with forward slashes (`src/cases/intake.ts`).
 */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The folders the architecture checks cover (the "src/, workers/, config/"). */
export const CHECKED_ROOTS = ['src', 'workers', 'config'] as const;

const SOURCE = /\.(ts|mts|mjs|js)$/;

function toRepoPath(absolute: string): string {
  return relative(ROOT, absolute).split(sep).join('/');
}

/** Every source file under the checked folders (generated migrations included: they are part of the graph). */
export function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : walk(path);
      return SOURCE.test(name) && !name.endsWith('.d.ts') ? [toRepoPath(path)] : [];
    });
  return CHECKED_ROOTS.flatMap((root) => walk(join(ROOT, root))).sort();
}

export interface ImportEdge {
  from: string;
  to: string;
  /** The specifier as written (`../cases/case.entity.ts`). */
  specifier: string;
}

/** Relative imports of one file, resolved to repository paths (package imports are not edges). */
export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ from: file, to: toRepoPath(resolve(ROOT, dirname(file), specifier)), specifier }));
}

/** The whole graph: file → the files it imports. */
export function importGraph(files = sourceFiles()): Map<string, ImportEdge[]> {
  return new Map(files.map((f) => [f, importsOf(f)]));
}

/** Strongly connected components with more than one file, or a file importing itself: the import cycles. */
export function findCycles(graph: Map<string, ImportEdge[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!indexOf.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(to)!));
      }
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
    if (component.length > 1 || selfLoop) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) connect(v);
  return cycles;
}
