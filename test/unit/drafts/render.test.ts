import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReplyRenderer, hasAnswerPlaceholder, replySubject, textToHtml } from '../../../src/drafts/render.ts';
import { CONSULTANT_ANSWER_MARKER, type ReplyKind, type ReplyViews } from '../../../src/drafts/reply-view.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/drafts');
const goldenDir = join(fixtures, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
const renderer = createReplyRenderer();

interface Fixture {
  kind: ReplyKind;
  evidence?: string;
  view: Record<string, unknown>;
}

function loadView(name: string): Fixture {
  const f = JSON.parse(readFileSync(join(fixtures, 'views', name), 'utf8')) as Fixture;
  if (f.evidence) f.view.evidence = JSON.parse(readFileSync(join(fixtures, f.evidence), 'utf8'));
  return f;
}

function golden(file: string, actual: string): void {
  const path = join(goldenDir, file);
  if (update || !existsSync(path)) {
    if (!update) throw new Error(`golden file missing: ${path} (run with UPDATE_GOLDEN=1)`);
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const viewFiles = readdirSync(join(fixtures, 'views')).filter((f) => f.endsWith('.json')).sort();

describe('reply templates (golden files)', () => {
  it.each(viewFiles)('%s renders as its golden text and HTML', (file) => {
    const { kind, view } = loadView(file);
    const out = renderer.render(kind, view as unknown as ReplyViews[typeof kind]);
    const base = file.replace(/\.json$/, '');
    golden(`${base}.txt`, `Subject: ${out.subject}\n\n${out.text}`);
    golden(`${base}.html`, out.html);
  });

  it('covers every reply kind', () => {
    const kinds = new Set(viewFiles.map((f) => loadView(f).kind));
    expect([...kinds].sort()).toEqual(['answer', 'needs-info', 'not-subscribed', 'over-quota', 'received']);
  });
});

describe('answer', () => {
  const { view } = loadView('answer.json');
  const out = renderer.render('answer', view as unknown as ReplyViews['answer']);

  it('has a marked place for the consultant and restates the question as a quotation', () => {
    expect(out.text).toContain(`\n${CONSULTANT_ANSWER_MARKER}\n`);
    expect(hasAnswerPlaceholder(out.text)).toBe(true);
    expect(out.text).toContain('> Can we bill 97530 and 97140-59 on the same day (DOS 01/15/2025)?');
    expect(out.html).toContain(CONSULTANT_ANSWER_MARKER);
  });

  it('escapes the question in HTML but not in text', () => {
    expect(out.html).toContain('Thanks &amp; regards &lt;Dana&gt;');
    expect(out.html).not.toContain('<Dana>');
    expect(out.text).toContain('> Thanks & regards <Dana>');
  });

  it('shows versions and the date of service, and the AMA notice only with CPT text', () => {
    expect(out.text).toContain('Code sets: ICD-10-CM FY2025, HCPCS 2025-01, CPT 2025, NCCI PTP 2025-Q1, MUE 2025-Q1');
    expect(out.text).toContain('Date of service: 2025-01-15 (date of service written in the question: "DOS 01/15/2025")');
    expect(out.text).not.toContain('American Medical Association');
    const licensed = loadView('answer-cpt-licensed.json');
    const withCpt = renderer.render('answer', licensed.view as unknown as ReplyViews['answer']);
    expect(withCpt.text).toContain('CPT® is a registered trademark of the American Medical Association.');
    expect(withCpt.html).toContain('CPT® is a registered trademark of the American Medical Association.');
  });

  it('keeps the subject to one Re: and one case tag', () => {
    expect(out.subject).toBe('Re: 97530 with 97140 & <modifier 59>? [CD-42]');
  });

  it('throws on a missing field instead of rendering blank (strict mode)', () => {
    const broken = { ...view } as Record<string, unknown>;
    delete broken.receivedDate;
    expect(() => renderer.render('answer', broken as unknown as ReplyViews['answer'])).toThrow(/receivedDate/);
  });
});

describe('notices', () => {
  it.each(['received.json', 'not-subscribed.json', 'over-quota.json'])('%s carries no code facts', (file) => {
    const { kind, view } = loadView(file);
    const out = renderer.render(kind, view as unknown as ReplyViews[typeof kind]);
    for (const body of [out.text, out.html]) {
      expect(body).not.toMatch(/NCCI|MUE|descriptor|ICD-10-CM FY|Code sets/);
      expect(body).toContain('This is an automatic message.');
    }
  });

  it('received promises the configured reply time', () => {
    const { view } = loadView('received.json');
    const out = renderer.render('received', { ...(view as unknown as ReplyViews['received']), replyPromise: 'within 4 hours' });
    expect(out.text).toContain('A consultant will reply within 4 hours.');
    expect(out.subject).toBe('Re: 97530 with 97140? [CD-42]');
  });

  it('a notice to a stranger has no case tag', () => {
    const { view } = loadView('not-subscribed.json');
    expect(renderer.render('not-subscribed', view as unknown as ReplyViews['not-subscribed']).subject).toBe('Re: Modifier 25 question');
  });
});

describe('replySubject', () => {
  it.each([
    ['97110 question', 42, 'Re: 97110 question [CD-42]'],
    ['Re: 97110 question', 42, 'Re: 97110 question [CD-42]'],
    ['RE: Re: AW: 97110 question', 42, 'Re: 97110 question [CD-42]'],
    ['Re[2]: 97110 question', 42, 'Re: 97110 question [CD-42]'],
    ['Re: 97110 question [CD-42]', 42, 'Re: 97110 question [CD-42]'],
    ['97110 question [cd-42]', 42, 'Re: 97110 question [cd-42]'],
    ['Fwd: 97110', 7, 'Re: Fwd: 97110 [CD-7]'],
    ['', 7, 'Re: (no subject) [CD-7]'],
    ['line\r\nbreak', 7, 'Re: line break [CD-7]'],
    ['Hello', null, 'Re: Hello'],
    ['Regarding 99213', 3, 'Re: Regarding 99213 [CD-3]'],
  ])('%j, %s → %s', (original, id, expected) => {
    expect(replySubject(original, id)).toBe(expected);
  });
});

describe('consultant text to HTML', () => {
  it('escapes and keeps paragraphs and line breaks', () => {
    expect(textToHtml('Hi <b>you</b> & co,\n\nline one\nline "two"\r\n\r\n\n')).toBe(
      '<p style="margin:0 0 1em 0;">Hi &lt;b&gt;you&lt;/b&gt; &amp; co,</p>\n<p style="margin:0 0 1em 0;">line one<br>\nline &quot;two&quot;</p>',
    );
  });

  it('wraps an edited reply in the mail layout', () => {
    const out = renderer.renderConsultantReply('Yes, with 59.\n\n<script>x</script>');
    expect(out.text).toBe('Yes, with 59.\n\n<script>x</script>\n');
    expect(out.html).toContain('<p style="margin:0 0 1em 0;">&lt;script&gt;x&lt;/script&gt;</p>');
    expect(out.html).toMatch(/^<!DOCTYPE html>/);
  });
});
