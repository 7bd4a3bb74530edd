import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCasedesk } from '../../support/cli.ts';
import type { TestDatabase } from '../../support/db.ts';

const root = join(import.meta.dirname, '..', '..', '..');
/** `casedesk phi` opens no database; runCasedesk only reads the path it would pass. */
const noDatabase = { db: { driver: 'sqlite', path: ':memory:' } } as unknown as TestDatabase;

/** Run `casedesk phi …` in-process through the real entry point with `input` on standard input. */
async function phi(args: string[], input: string): Promise<{ status: number; out: string; err: string }> {
  vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(input)]) as unknown as typeof process.stdin);
  return runCasedesk(noDatabase, ['phi', ...args]);
}

afterEach(() => vi.restoreAllMocks());

const message = [
  'From: Dana Ruiz <dana@ruizbilling.example>',
  'To: ask@casedesk.example',
  'Subject: RE: E/M with injection',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Pt John Whitaker DOB 03/14/1952, DOS 01/15/2025, 99214-25 with 20610.',
  'Write to me at dana@ruizbilling.example or to his daughter at kw@home.example.',
  '',
  'On Mon, Jan 13, 2025 at 10:14 AM CaseDesk <ask@casedesk.example> wrote:',
  '> Patient: Alma Fisher, MRN 4455667',
  '-- ',
  'Dana Ruiz | (770) 555-0100',
  '',
].join('\r\n');

describe('casedesk phi', () => {
  it('--json prints the spans of the new text on one line, offsets into it', async () => {
    const r = await phi(['--json'], message);
    expect(r.status).toBe(0);
    expect(r.out.endsWith('\n')).toBe(true);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(r.out) as { spans: Array<{ kind: string; start: number; end: number; text: string }> };
    expect(result.spans.map((s) => [s.kind, s.text])).toEqual([
      ['name', 'John Whitaker'],
      ['dob', '03/14/1952'],
      ['email', 'kw@home.example'],
    ]);
    const newText = 'Pt John Whitaker DOB 03/14/1952, DOS 01/15/2025, 99214-25 with 20610.\nWrite to me at dana@ruizbilling.example or to his daughter at kw@home.example.';
    for (const s of result.spans) expect(newText.slice(s.start, s.end)).toBe(s.text);
    expect(Object.keys(result.spans[0]!)).toEqual(['kind', 'start', 'end', 'text']);
  });

  it('without --json prints a readable list', async () => {
    const r = await phi([], message);
    expect(r.status).toBe(0);
    expect(r.out).toContain('3 patient identifiers in the new text:');
    expect(r.out).toMatch(/name\s+3-16\s+"John Whitaker"/);
  });

  it('reads plain text and HTML-only mail', async () => {
    expect(JSON.parse((await phi(['--json'], 'MRN: 00482913 for 29881-RT\n')).out)).toEqual({ spans: [{ kind: 'mrn', start: 5, end: 13, text: '00482913' }] });
    const html = 'From: a@b.example\nSubject: q\nMIME-Version: 1.0\nContent-Type: text/html\n\n<table><tr><td>Patient</td><td>SMITH, JOHN</td></tr></table>\n';
    expect(JSON.parse((await phi(['--json'], html)).out).spans.map((s: { text: string }) => s.text)).toEqual(['SMITH, JOHN']);
  });

  it('answers every readable input, even empty or binary', async () => {
    for (const input of ['', '\u0000\u0001\u00ff garbage', 'Subject: only headers\n']) {
      const r = await phi(['--json'], input);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ spans: [] });
    }
  });

  it('works from the shell: bin/casedesk.js phi --json', () => {
    const out = spawnSync(process.execPath, [join(root, 'bin', 'casedesk.js'), 'phi', '--json'], { input: 'pt name: jane doe, SSN 412-55-8093\n', encoding: 'utf8', cwd: root });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('{"spans":[{"kind":"name","start":9,"end":17,"text":"jane doe"},{"kind":"ssn","start":23,"end":34,"text":"412-55-8093"}]}\n');
  });
});
