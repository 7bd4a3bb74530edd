import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ATTACHMENT_LIMITS } from '../../../src/attachments/limits.ts';
import { TextExtractor } from '../../../src/attachments/text-extractor.ts';
import type { TextResult } from '../../../src/attachments/types.ts';
import { declareZipEntrySize, DENIAL_LETTER_LINES, makeDocx, makePdf, PNG_1X1 } from '../../fixtures/attachments/make-files.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/attachments/${name}`, import.meta.url));
const limits = { ...DEFAULT_ATTACHMENT_LIMITS, textTimeoutMs: 15_000 };
const extractor = new TextExtractor({ threads: 2 });

afterAll(async () => {
  await extractor.close();
});

function textOf(result: TextResult): string {
  expect(result.status).toBe('text');
  return result.status === 'text' ? result.text : '';
}

describe('TextExtractor: what is read', () => {
  it('reads the text of a PDF, page count included', async () => {
    const result = await extractor.extract(fixture('denial-letter.pdf'), 'pdf', limits);
    expect(textOf(result).split('\n')).toEqual(DENIAL_LETTER_LINES);
    expect(result).toMatchObject({ truncated: false, pages: 1 });
  });

  it('reads a Word document (DOCX)', async () => {
    expect(textOf(await extractor.extract(fixture('appeal-notes.docx'), 'docx', limits))).toBe(
      'Appeal notes for claim 2025-0441-7\n\nThe visit 99214 was separate from the injection 20610; modifier 25 applies.\n\nDiagnosis M17.11 supports the injection.',
    );
  });

  it('reads CSV as its text', async () => {
    expect(textOf(await extractor.extract(fixture('claim-lines.csv'), 'csv', limits))).toBe(fixture('claim-lines.csv').toString('utf8').trim());
  });

  it.each([
    ['UTF-8 with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Café 99213')]), 'Café 99213'],
    ['Windows-1252 (not valid UTF-8)', Buffer.from('Caf\xe9 99213 \x96 denied\r\n', 'latin1'), 'Café 99213 – denied'],
    ['UTF-16LE with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Café 99213', 'utf16le')]), 'Café 99213'],
    ['CRLF lines and NUL bytes', Buffer.from('a\r\nb\0c\r\n\r\n\r\n\r\nd'), 'a\nbc\n\nd'],
  ])('decodes plain text: %s', async (_label, bytes, expected) => {
    expect(textOf(await extractor.extract(bytes, 'text', limits))).toBe(expected);
  });

  it('reads the visible text of an HTML file, never its script or style', async () => {
    const html = Buffer.from('<html><head><style>p{}</style><script>steal("99999")</script></head><body><p>Line 1: 99213 denied</p></body></html>');
    expect(textOf(await extractor.extract(html, 'html', limits))).toBe('Line 1: 99213 denied');
  });

  it.each([
    ['image', PNG_1X1, { status: 'none', code: 'image', reason: 'image, no text' }],
    ['svg', Buffer.from('<svg/>'), { status: 'none', code: 'image', reason: 'image, no text' }],
    ['other', Buffer.from([1, 2, 3]), { status: 'none', code: 'unsupported' }],
    ['email', Buffer.from('Subject: x\r\n\r\nbody'), { status: 'none', code: 'unsupported' }],
  ] as const)('does not read a file of kind %s, and says why', async (kind, bytes, expected) => {
    expect(await extractor.extract(bytes, kind, limits)).toMatchObject(expected);
  });

  it('says when a PDF has no text layer (a scan): no OCR', async () => {
    const scan = makePdf({ pages: [[]], imageBytes: 4000 });
    expect(await extractor.extract(scan, 'pdf', limits)).toMatchObject({ status: 'none', code: 'no-text-layer' });
  });

  it('cuts text at the character limit and says so', async () => {
    const result = await extractor.extract(Buffer.from('99213 '.repeat(100)), 'text', { ...limits, maxTextChars: 50 });
    expect(result).toMatchObject({ status: 'text', truncated: true });
    expect(textOf(result)).toHaveLength(50);
  });

  it('reads at most maxPdfPages pages and says the text is cut', async () => {
    const pdf = makePdf({ pages: [['page one 99213'], ['page two 20610'], ['page three J3301']] });
    const result = await extractor.extract(pdf, 'pdf', { ...limits, maxPdfPages: 2 });
    expect(result).toMatchObject({ status: 'text', truncated: true, pages: 3 });
    expect(textOf(result)).toBe('page one 99213\n\npage two 20610');
  });

  it('reads several files at once on its threads', async () => {
    const pdfs = [1, 2, 3, 4].map((n) => makePdf({ pages: [[`file ${n}: 9921${n}`]], compress: true }));
    const results = await Promise.all(pdfs.map((pdf) => extractor.extract(pdf, 'pdf', limits)));
    expect(results.map(textOf)).toEqual(['file 1: 99211', 'file 2: 99212', 'file 3: 99213', 'file 4: 99214']);
  });
});

describe('TextExtractor: hostile and broken files', () => {
  it.each([
    ['a PDF header and garbage', Buffer.from('%PDF-1.7\n' + 'garbage '.repeat(100))],
    ['not a PDF at all', Buffer.from('hello')],
    ['an empty file', Buffer.alloc(0)],
  ])('a broken PDF (%s) fails with a reason, without crashing the reader', async (_label, bytes) => {
    expect(await extractor.extract(bytes, 'pdf', limits)).toMatchObject({ status: 'failed', code: 'broken', reason: expect.stringMatching(/^the PDF could not be read/) });
  });

  it('a PDF cut in half is read as far as it goes or fails, and the next file is read normally', async () => {
    const pdf = makePdf({ pages: [['first page 99213'], ['second page 20610']] });
    const result = await extractor.extract(pdf.subarray(0, Math.floor(pdf.length / 2)), 'pdf', limits);
    expect(['text', 'none', 'failed']).toContain(result.status);
    expect(textOf(await extractor.extract(fixture('denial-letter.pdf'), 'pdf', limits))).toContain('CPT 99213-25');
  });

  it.each([
    ['a ZIP without a Word document', async () => {
      const { default: JSZip } = await import('jszip');
      return new JSZip().file('a.txt', 'x').generateAsync({ type: 'nodebuffer' });
    }],
    ['bytes that are no ZIP', async () => Buffer.from('PK\x03\x04 but not really a zip', 'latin1')],
    ['a Word document with broken XML', async () => {
      const docx = await makeDocx(['x']);
      const { default: JSZip } = await import('jszip');
      const zip = await JSZip.loadAsync(docx);
      zip.file('word/document.xml', '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>');
      return zip.generateAsync({ type: 'nodebuffer' });
    }],
  ])('a broken DOCX (%s) fails with a reason', async (_label, make) => {
    expect(await extractor.extract(await make(), 'docx', limits)).toMatchObject({ status: 'failed', code: 'broken' });
  });
});

describe('TextExtractor: decompression bombs', () => {
  it('refuses unread a DOCX that declares more XML than any real document holds', async () => {
    const bomb = declareZipEntrySize(await makeDocx(['99213']), 'word/document.xml', 2_000_000_000);
    expect(await extractor.extract(bomb, 'docx', limits)).toEqual({
      status: 'failed', code: 'too-large', reason: 'the Word document declares 1907 MB of XML (a decompression bomb?): not read',
    });
  });
});

describe('TextExtractor: isolation (a reader thread that hangs, blows its heap or dies)', () => {
  const misbehaving = new URL('./workers/misbehaving-worker.mjs', import.meta.url);

  it('ends a read that hangs at the time limit and reads the next file on a fresh thread', async () => {
    const pool = new TextExtractor({ threads: 1, workerUrl: misbehaving });
    try {
      const hang = pool.extract(Buffer.from('HANG'), 'pdf', { ...limits, textTimeoutMs: 500 });
      const next = pool.extract(fixture('denial-letter.pdf'), 'pdf', limits);
      expect(await hang).toEqual({ status: 'failed', code: 'timeout', reason: 'reading took longer than the 500 ms limit' });
      expect(textOf(await next)).toContain('CPT 99213-25');
    } finally {
      await pool.close();
    }
  });

  it('reports a thread that runs out of memory as a memory failure and goes on', async () => {
    const pool = new TextExtractor({ threads: 1, workerUrl: misbehaving, maxHeapMb: 64 });
    try {
      expect(await pool.extract(Buffer.from('BOMB'), 'docx', limits)).toMatchObject({ status: 'failed', code: 'memory' });
      expect(textOf(await pool.extract(fixture('appeal-notes.docx'), 'docx', limits))).toContain('99214');
    } finally {
      await pool.close();
    }
  });

  it('reports a thread that exits as a worker failure and goes on', async () => {
    const pool = new TextExtractor({ threads: 1, workerUrl: misbehaving });
    try {
      expect(await pool.extract(Buffer.from('EXIT'), 'html', limits)).toMatchObject({ status: 'failed', code: 'worker' });
      expect(textOf(await pool.extract(Buffer.from('<p>99213</p>'), 'html', limits))).toBe('99213');
    } finally {
      await pool.close();
    }
  });

  it('answers files queued at close as failed, and files after close too', async () => {
    const pool = new TextExtractor({ threads: 1, workerUrl: misbehaving });
    const first = pool.extract(Buffer.from('HANG'), 'pdf', { ...limits, textTimeoutMs: 60_000 });
    const queued = pool.extract(fixture('denial-letter.pdf'), 'pdf', limits);
    await pool.close();
    expect(await first).toMatchObject({ status: 'failed', code: 'worker' });
    expect(await queued).toMatchObject({ status: 'failed', code: 'worker' });
    expect(await pool.extract(fixture('denial-letter.pdf'), 'pdf', limits)).toMatchObject({ status: 'failed', code: 'worker' });
  });
});
