import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ValidationError } from '../shared/errors.ts';

/** The editor `git commit` would use: `$VISUAL`, then `$EDITOR`, then `vi`. */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  for (const value of [env.VISUAL, env.EDITOR]) if (value && value.trim() !== '') return value;
  return 'vi';
}

/**
 * Run the editor on a file the way git does: through the shell, so `EDITOR="code --wait"` works;
 * the terminal is handed over until it exits. A non-zero exit is an error (nothing is saved).
 */
export async function runEditor(file: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const editor = editorCommand(env);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$@"`, editor, file], { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (status) => resolve(status));
  });
  if (code !== 0) throw new ValidationError(`the editor (${editor}) exited with status ${code ?? 'signal'}; nothing was changed`);
}

export type EditOutcome = { kind: 'changed'; text: string } | { kind: 'unchanged' } | { kind: 'empty' };

/**
 * Write `text` to a temporary file named `name`, let the user edit it, and read it back. The
 * file is removed afterwards. Empty (only whitespace) → `empty`; the same text → `unchanged`.
 */
export async function editText(text: string, name: string, edit: (file: string) => Promise<void> = (f) => runEditor(f)): Promise<EditOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-edit-'));
  const file = join(dir, name);
  try {
    writeFileSync(file, text, { encoding: 'utf8', mode: 0o600 });
    await edit(file);
    const edited = readFileSync(file, 'utf8');
    if (edited.trim() === '') return { kind: 'empty' };
    if (edited.replace(/\s+$/, '') === text.replace(/\s+$/, '')) return { kind: 'unchanged' };
    return { kind: 'changed', text: edited };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ask a yes/no question on the terminal (standard input); only `y` or `yes` is yes. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Standard input closed without an answer (no terminal, nothing piped) is a no.
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    const answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
