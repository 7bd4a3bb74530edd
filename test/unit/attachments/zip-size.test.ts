import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { declaredZipSize } from '../../../src/attachments/zip-size.ts';
import { declareZipEntrySize, makeDocx } from '../../fixtures/attachments/make-files.ts';

const isXml = (name: string): boolean => /\.(xml|rels)$/.test(name);

describe('declaredZipSize', () => {
  it('sums the uncompressed sizes a DOCX declares for its XML parts', async () => {
    const docx = await makeDocx(['99213 denied', 'appeal within 180 days']);
    const zip = await JSZip.loadAsync(docx);
    let actual = 0;
    for (const file of Object.values(zip.files)) if (!file.dir && isXml(file.name)) actual += (await file.async('nodebuffer')).length;
    expect(declaredZipSize(docx, isXml)).toBe(actual);
    expect(declaredZipSize(docx, (name) => name === 'word/document.xml')).toBeLessThan(actual);
  });

  it('reads a size patched into the headers (what a bomb declares) without inflating', async () => {
    const bomb = declareZipEntrySize(await makeDocx(['x']), 'word/document.xml', 3_000_000_000);
    expect(declaredZipSize(bomb, isXml)).toBeGreaterThan(3_000_000_000);
    expect(declaredZipSize(declareZipEntrySize(await makeDocx(['x']), 'word/document.xml', 0xffffffff), isXml)).toBe(Infinity);
  });

  it.each([
    ['not a ZIP', Buffer.from('hello world, not a zip at all')],
    ['an empty buffer', Buffer.alloc(0)],
    ['a ZIP cut before its central directory', Buffer.from('PK\x03\x04' + 'x'.repeat(100), 'latin1')],
  ])('returns null for %s', (_label, bytes) => {
    expect(declaredZipSize(bytes, isXml)).toBeNull();
  });

  it('returns null when the central directory points outside the file', async () => {
    const docx = await makeDocx(['x']);
    const broken = Buffer.from(docx);
    broken.writeUInt32LE(broken.length + 1000, broken.length - 22 + 16); // central directory offset past the end
    expect(declaredZipSize(broken, isXml)).toBeNull();
  });
});
