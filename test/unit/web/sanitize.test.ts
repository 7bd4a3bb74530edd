import { describe, expect, it } from 'vitest';
import { highlightSegments, sanitizeEmailHtml } from '../../../src/web/sanitize.ts';

describe('sanitizeEmailHtml', () => {
  const cases: [string, string, string][] = [
    ['script', '<p>hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['event handler', '<p onclick="x()" onmouseover="y()">hi</p>', '<p>hi</p>'],
    ['onerror image', '<img src=x onerror="alert(1)">', '<span class="img-placeholder">[image]</span>'],
    ['remote image with alt', '<img src="https://t.example/p.gif" alt="Logo">', '<span class="img-placeholder">[image: Logo]</span>'],
    ['javascript link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['data link', '<a href="data:text/html,<script>1</script>">x</a>', '<a>x</a>'],
    ['http link shows its target', '<a href="https://example.com/a?b=1">x</a>', '<a href="https://example.com/a?b=1" data-href="https://example.com/a?b=1" rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['style, iframe, form, svg', '<style>*{}</style><iframe src="x"></iframe><form action="/x"><input name="a"></form><svg onload="x()"></svg>', ''],
    ['style attribute and class', '<p style="background:url(https://t.example)" class="flash">hi</p>', '<p>hi</p>'],
    ['table kept', '<table><tr><td colspan="2">a</td></tr></table>', '<table><tr><td colspan="2">a</td></tr></table>'],
    ['protocol-relative link', '<a href="//evil.example/">x</a>', '<a>x</a>'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(sanitizeEmailHtml(input)).toBe(expected);
  });
});

describe('highlightSegments', () => {
  it('splits the text around hits, skipping overlaps and out-of-range hits', () => {
    const text = 'Bill 97530 with 97140?';
    const segments = highlightSegments(text, [
      { code: '97140', system: 'cpt', start: 16, end: 21 },
      { code: '97530', system: 'cpt', start: 5, end: 10 },
      { code: '9753', system: 'cpt', start: 6, end: 10 },
      { code: 'X', system: 'cpt', start: 20, end: 99 },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.filter((s) => s.code).map((s) => s.code)).toEqual(['97530', '97140']);
  });

  it('keeps markup in the text as text (the template escapes it)', () => {
    expect(highlightSegments('<b>97110</b>', [{ code: '97110', system: 'cpt', start: 3, end: 8 }])).toEqual([
      { text: '<b>', code: null, system: null },
      { text: '97110', code: '97110', system: 'cpt' },
      { text: '</b>', code: null, system: null },
    ]);
  });
});
