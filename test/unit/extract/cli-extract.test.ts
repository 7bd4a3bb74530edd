import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExtract } from '../../../src/cli/commands/extract.ts';
import { looksLikeRfc5322 } from '../../../src/codes/extract/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');

describe('casedesk extract', () => {
  it('reads an RFC 5322 message: subject and new text only', async () => {
    const raw = [
      'From: a@b.example',
      'Subject: RE: 99214 question',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Can I bill 99213-25 with 20610? dx M5450',
      '',
      'On Mon, Jan 13, 2025 at 10:14 AM Jane <j@x.example> wrote:',
      '> 99215 was denied',
      '-- ',
      'Jane, ext. 20611',
      '',
    ].join('\r\n');
    expect(await runExtract(raw)).toEqual({
      cpt: ['99214', '99213', '20610'],
      hcpcs: [],
      icd10cm: ['M54.50'],
      icd10pcs: [],
      modifiers: ['25'],
    });
  });

  it('reads HTML-only mail as visible text', async () => {
    const raw = 'From: a@b.example\nSubject: q\nMIME-Version: 1.0\nContent-Type: text/html\n\n<p style="color:#999999">Bill&nbsp;J1885x2</p><a href="x/99215">l</a>\n';
    expect((await runExtract(raw)).hcpcs).toEqual(['J1885']);
    expect((await runExtract(raw)).cpt).toEqual([]);
  });

  it('skips an mbox From_ line before the headers', async () => {
    const raw = 'From jane@x.example Mon Jan 13 10:14:00 2025\nFrom: jane@x.example\nSubject: 97110\nReceived: by mx id 20551\n\nand G0283\n';
    expect(await runExtract(raw)).toEqual({ cpt: ['97110'], hcpcs: ['G0283'], icd10cm: [], icd10pcs: [], modifiers: [] });
  });

  it('treats input without headers as a plain-text body', async () => {
    expect(looksLikeRfc5322('Question: can I bill 97110?')).toBe(false);
    expect((await runExtract('Question: can I bill 97110 x3?\n')).cpt).toEqual(['97110']);
  });

  it('prints the contract object on one line with keys in order, exit 0', () => {
    const out = spawnSync(process.execPath, [join(root, 'bin', 'casedesk.js'), 'extract', '--json'], {
      input: 'Subject: 99213\n\nand L3908 RT\n',
      encoding: 'utf8',
      cwd: root,
    });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('{"cpt":["99213"],"hcpcs":["L3908"],"icd10cm":[],"icd10pcs":[],"modifiers":["RT"]}\n');
  });

  it('answers every readable input, even empty or binary', async () => {
    for (const input of ['', '\u0000\u0001\u00ff garbage', 'Subject: only headers\n']) {
      expect(await runExtract(input)).toEqual({ cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] });
    }
    expect(await runExtract(Buffer.from([0xff, 0xfe, 0x00, 0x39, 0x39]))).toEqual({ cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] });
  });
});
