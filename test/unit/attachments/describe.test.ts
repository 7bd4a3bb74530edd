import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { describeAttachments, safeFileName } from '../../../src/attachments/describe.ts';
import { kindOf, sniffType } from '../../../src/attachments/sniff.ts';
import { makeDocx, PNG_1X1 } from '../../fixtures/attachments/make-files.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/attachments/${name}`, import.meta.url));
const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Compose a real message with nodemailer and parse it with mailparser the way the parse worker does. */
async function parsedAttachments(attachments: NonNullable<ConstructorParameters<typeof MailComposer>[0]>['attachments']) {
  const raw = await new MailComposer({
    from: 'coder@clinic.example', to: 'answers@casedesk.example', subject: 'Denied line', text: 'See attached.',
    html: '<p>See attached.</p><img src="cid:logo@clinic.example">', attachments,
  }).compile().build();
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, keepDeliveryStatus: true });
  return parsed.attachments;
}

describe('describeAttachments on mailparser output', () => {
  it('lists every attachment with name, declared and sniffed type, size, sha256 and disposition', async () => {
    const pdf = fixture('denial-letter.pdf');
    const parts = await parsedAttachments([
      { filename: 'denial-letter.pdf', content: pdf, contentType: 'application/pdf' },
      { filename: 'claim-lines.csv', content: fixture('claim-lines.csv'), contentType: 'text/csv' },
      { filename: 'logo.png', content: PNG_1X1, cid: 'logo@clinic.example' },
      // Declared as a PDF, but the bytes are HTML: the sniffed type is what counts.
      { filename: 'invoice.pdf', content: '<html><script>alert(1)</script></html>', contentType: 'application/pdf' },
    ]);
    const described = await describeAttachments(parts, { maxBytes: 15 * 1024 * 1024 });
    expect(described.map((d) => d.info)).toEqual([
      expect.objectContaining({ index: 0, name: 'logo.png', declaredType: 'image/png', sniffedType: 'image/png', kind: 'image', size: PNG_1X1.length, sha256: sha256(PNG_1X1), disposition: 'inline', related: true, contentId: 'logo@clinic.example', status: 'ok', reason: null }),
      expect.objectContaining({ index: 1, name: 'denial-letter.pdf', declaredType: 'application/pdf', sniffedType: 'application/pdf', kind: 'pdf', size: pdf.length, sha256: sha256(pdf), disposition: 'attachment', related: false, contentId: null, status: 'ok' }),
      expect.objectContaining({ index: 2, name: 'claim-lines.csv', declaredType: 'text/csv', sniffedType: 'text/csv', kind: 'csv', status: 'ok' }),
      expect.objectContaining({ index: 3, name: 'invoice.pdf', declaredType: 'application/pdf', sniffedType: 'text/html', kind: 'html', status: 'ok' }),
    ]);
    expect(described[1]!.content!.equals(pdf)).toBe(true);
  });

  it('lists an attachment over the limit with the reason and keeps no content', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
    const parts = await parsedAttachments([
      { filename: 'scan.pdf', content: big, contentType: 'application/pdf' },
      { filename: 'small.txt', content: 'fine' },
    ]);
    const [over, small] = await describeAttachments(parts, { maxBytes: 2 * 1024 * 1024 });
    expect(over!.info).toMatchObject({ name: 'scan.pdf', size: big.length, sha256: sha256(big), status: 'over-limit' });
    expect(over!.info.reason).toBe('3 MB, over the 2 MB limit per attachment: listed, not stored, scanned or read');
    expect(over!.content).toBeNull();
    expect(small!.info.status).toBe('ok');
  });

  it('lists empty and content-less parts as unreadable instead of dropping them', async () => {
    const described = await describeAttachments([
      { filename: 'empty.pdf', contentType: 'application/pdf', content: Buffer.alloc(0) },
      { filename: 'gone.bin', contentType: 'application/octet-stream', content: undefined },
    ], { maxBytes: 1024 });
    expect(described.map((d) => [d.info.name, d.info.status, d.info.reason, d.content])).toEqual([
      ['empty.pdf', 'unreadable', 'the part is empty (0 bytes)', null],
      ['gone.bin', 'unreadable', 'the part has no content that could be decoded', null],
    ]);
  });

  it('accepts content cloned from the parse thread (Uint8Array, not Buffer)', async () => {
    const pdf = fixture('denial-letter.pdf');
    const [one] = await describeAttachments([{ filename: 'a.pdf', contentType: 'application/pdf', content: new Uint8Array(pdf) }], { maxBytes: 1024 * 1024 });
    expect(one!.info).toMatchObject({ kind: 'pdf', sha256: sha256(pdf), status: 'ok' });
  });
});

describe('sniffType and kindOf', () => {
  const cases: Array<[string, () => Promise<Buffer> | Buffer, string, string, string]> = [
    ['a PDF', () => fixture('denial-letter.pdf'), 'application/octet-stream', 'application/pdf', 'pdf'],
    ['a DOCX', () => fixture('appeal-notes.docx'), 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['a PNG declared as PDF', () => PNG_1X1, 'application/pdf', 'image/png', 'image'],
    ['CSV text declared as CSV', () => fixture('claim-lines.csv'), 'text/csv', 'text/csv', 'csv'],
    ['CSV text declared as octet-stream', () => fixture('claim-lines.csv'), 'application/octet-stream', 'text/plain', 'text'],
    ['plain text', () => Buffer.from('99213 denied\n'), 'text/plain', 'text/plain', 'text'],
    ['Windows-1252 text', () => Buffer.from('Caf\xe9 99213\r\n', 'latin1'), 'text/plain', 'text/plain', 'text'],
    ['an SVG with script declared as PNG', () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png', 'image/svg+xml', 'svg'],
    ['HTML declared as text', () => Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'), 'text/plain', 'text/html', 'html'],
    ['other XML', () => Buffer.from('<?xml version="1.0"?><claim><line>1</line></claim>'), 'text/xml', 'application/xml', 'other'],
    ['random binary', () => Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 9, 200]), 'application/pdf', 'application/octet-stream', 'other'],
    ['a ZIP that is not Office', async () => {
      const { default: JSZip } = await import('jszip');
      return new JSZip().file('a.txt', 'x').generateAsync({ type: 'nodebuffer' });
    }, 'application/zip', 'application/zip', 'other'],
  ];
  it.each(cases)('%s', async (_label, make, declaredType, sniffed, kind) => {
    const type = await sniffType(await make(), { declaredType, name: `file.${declaredType === 'text/csv' ? 'csv' : 'bin'}` });
    expect(type).toBe(sniffed);
    expect(kindOf(type)).toBe(kind);
  });

  it('calls a .csv name CSV whatever the declared type', async () => {
    expect(await sniffType(Buffer.from('a,b\n'), { declaredType: 'application/vnd.ms-excel', name: 'Lines.CSV' })).toBe('text/csv');
  });

  it('builds a DOCX fixture the sniffer recognises (the builder the bench and e2e tests use)', async () => {
    expect(kindOf(await sniffType(await makeDocx(['x']), { declaredType: '', name: '' }))).toBe('docx');
  });
});

describe('safeFileName', () => {
  it.each([
    ['denial-letter.pdf', 'denial-letter.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\coder\\scan.pdf', 'scan.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  .hidden  ', 'hidden'],
    ['a\u0000b\r\nc.txt', 'abc.txt'],
    ['what?<>:"|*.pdf', 'what_______.pdf'],
    ['', 'attachment-3.pdf'],
    ['...', 'attachment-3.pdf'],
  ])('%j → %j', (raw, expected) => {
    expect(safeFileName(raw, 2, 'pdf')).toBe(expected);
  });

  it('cuts long names and keeps the extension', () => {
    const name = safeFileName(`${'x'.repeat(400)}.pdf`, 0, 'pdf');
    expect(name).toHaveLength(180);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});
