import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, sourceFiles } from './source-files.ts';

/** A function longer than this (first to last line, nested functions included) fails the check; aim for about 50. */
export const MAX_FUNCTION_LINES = 80;

/**
 * Files not held to these checks yet (none today: add an entry only with a reason and a plan).
 */
const PENDING: Record<string, { longFunctions?: true; moduleState?: true }> = {};

const checked = sourceFiles().filter((f) => /\.(ts|mts)$/.test(f) && !f.startsWith('src/db/migrations/'));

function parse(file: string, text = readFileSync(join(ROOT, file), 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

function nameOf(node: ts.Node): string {
  const named = (node as { name?: ts.Node }).name;
  if (named) return named.getText();
  if (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) || ts.isPropertyDeclaration(node.parent)) return node.parent.name.getText();
  return '(anonymous)';
}

/** Every function, method, arrow and accessor with a body longer than `max` lines: `file:line name (n lines)`. */
export function longFunctions(source: ts.SourceFile, max = MAX_FUNCTION_LINES): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) found.push(`${source.fileName}:${start + 1} ${nameOf(node)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const MUTABLE_CONSTRUCTORS = /^(Map|Set|WeakMap|WeakSet|Array|(Int|Uint|Float|BigInt|BigUint)(8|16|32|64)(Clamped)?Array)$/;

/**
 * Module-level mutable state: a top-level `let`/`var`, or a top-level `const` holding an empty
 * collection to fill later (`new Map()`, `new Set<…>()`, `[]`, `{}`, a typed-array buffer).
 * Constant lookup tables (`new Set([...])` of literals) and regular expressions are not state.
 * State belongs in an object its owner creates (`createX()` / a class) and passes around.
 */
export function moduleState(source: ts.SourceFile): string[] {
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const decl of list.declarations) {
      const line = source.getLineAndCharacterOfPosition(decl.getStart(source)).line + 1;
      const where = `${source.fileName}:${line} ${decl.name.getText()}`;
      if (!isConst) {
        found.push(`${where} (top-level ${list.flags & ts.NodeFlags.Let ? 'let' : 'var'})`);
        continue;
      }
      const init = decl.initializer;
      if (!init) continue;
      const emptyLiteral = (ts.isArrayLiteralExpression(init) && init.elements.length === 0) || (ts.isObjectLiteralExpression(init) && init.properties.length === 0);
      const collection = ts.isNewExpression(init) && MUTABLE_CONSTRUCTORS.test(init.expression.getText()) &&
        ((init.arguments?.length ?? 0) === 0 || /Array$/.test(init.expression.getText()));
      if (emptyLiteral || collection) found.push(`${where} (a mutable ${init.getText().slice(0, 30)} at module level)`);
    }
  }
  return found;
}

describe('code shape of src/, workers/ and config/', () => {
  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = checked.filter((f) => !PENDING[f]?.longFunctions).flatMap((f) => longFunctions(parse(f)));
    expect(long).toEqual([]);
  });

  it('has no module-level mutable state (state lives in objects its owner creates)', () => {
    const state = checked.filter((f) => !PENDING[f]?.moduleState).flatMap((f) => moduleState(parse(f)));
    expect(state).toEqual([]);
  });

  it('allowlists only files that exist', () => {
    expect(Object.keys(PENDING).filter((f) => !checked.includes(f))).toEqual([]);
  });
});

describe('the shape checks themselves', () => {
  it('measures functions, methods and arrows, nested ones included', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x${i}();`).join('\n');
    const source = parse('probe.ts', [
      `export function short() {\n${body(10)}\n}`,
      `export function long() {\n${body(90)}\n}`,
      `export const arrow = () => {\n  const inner = () => {\n${body(85)}\n  };\n};`,
      `class K {\n  method() {\n${body(81)}\n  }\n}`,
    ].join('\n'));
    expect(longFunctions(source)).toEqual([
      'probe.ts:13 long (92 lines)',
      'probe.ts:105 arrow (89 lines)',
      'probe.ts:106 inner (87 lines)',
      'probe.ts:195 method (83 lines)',
    ]);
  });

  it('flags top-level let/var and empty collections, not constant tables', () => {
    const source = parse('probe.ts', [
      'let pool = null;',
      'var count = 0;',
      'const cache = new Map<string, number>();',
      'const seen = new Set();',
      'const scratch = new Int32Array(64);',
      'const list: string[] = [];',
      "const KINDS = new Set(['a', 'b']);",
      'const PATTERN = new RegExp("x");',
      'const LIMIT = 5;',
      'export function f() { let local = 1; return local; }',
    ].join('\n'));
    expect(moduleState(source).map((s) => s.split(' ')[0])).toEqual(['probe.ts:1', 'probe.ts:2', 'probe.ts:3', 'probe.ts:4', 'probe.ts:5', 'probe.ts:6']);
  });
});
