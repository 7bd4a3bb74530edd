import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const files = [];
const walk = (d) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) { if (!p.endsWith('extract')) walk(p); } else if (p.endsWith('.ts')) files.push(p); } };
for (const d of process.argv.slice(2)) walk(d);
const out = [];
for (const f of files) {
  const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n)) {
      const a = src.getLineAndCharacterOfPosition(n.getStart()).line; const b = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      const name = n.name?.getText?.() ?? (n.parent && ts.isVariableDeclaration(n.parent) ? n.parent.name.getText() : '(anon)');
      if (b - a + 1 > 45) out.push([b - a + 1, `${f}:${a + 1} ${name}`]);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}
for (const [n, s] of out.sort((x, y) => y[0] - x[0])) console.log(n, s);
const lines = files.map((f) => [readFileSync(f, 'utf8').split('\n').length, f]).filter(([n]) => n > 300);
for (const [n, f] of lines) console.log('FILE', n, f);
