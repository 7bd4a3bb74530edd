import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { editorCommand, editText } from '../../../src/cli/editor.ts';

describe('drafts edit: the editor round trip', () => {
  it('picks $VISUAL, then $EDITOR, then vi, as git does', () => {
    expect(editorCommand({ VISUAL: 'nano', EDITOR: 'ed' })).toBe('nano');
    expect(editorCommand({ VISUAL: '', EDITOR: 'ed' })).toBe('ed');
    expect(editorCommand({})).toBe('vi');
  });

  it('gives the edited text, and removes the temporary file', async () => {
    let seen = '';
    const out = await editText('Hello [X]\n', 'CD-1-draft-1.txt', async (file) => {
      seen = file;
      expect(readFileSync(file, 'utf8')).toBe('Hello [X]\n');
      writeFileSync(file, 'Hello there\n');
    });
    expect(out).toEqual({ kind: 'changed', text: 'Hello there\n' });
    expect(seen.endsWith('CD-1-draft-1.txt')).toBe(true);
    expect(existsSync(seen)).toBe(false);
  });

  it('reports an unchanged text (trailing blanks aside) and an empty one', async () => {
    expect(await editText('Same\n', 'a.txt', async (f) => writeFileSync(f, 'Same\n\n'))).toEqual({ kind: 'unchanged' });
    expect(await editText('Some\n', 'a.txt', async (f) => writeFileSync(f, ' \n'))).toEqual({ kind: 'empty' });
  });

  it('runs a real editor command through the shell', async () => {
    const { runEditor } = await import('../../../src/cli/editor.ts');
    const out = await editText('draft\n', 'a.txt', (f) => runEditor(f, { ...process.env, VISUAL: '', EDITOR: "sed -i 's/draft/answer/'" }));
    expect(out).toEqual({ kind: 'changed', text: 'answer\n' });
    await expect(editText('draft\n', 'a.txt', (f) => runEditor(f, { ...process.env, VISUAL: 'false' }))).rejects.toThrow(/exited with status 1/);
  });
});
