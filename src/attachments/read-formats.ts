import { compile } from 'html-to-text';
import mammoth from 'mammoth';
import { getDocumentProxy } from 'unpdf';
import { decodeTextFile, finishText, type TextLimits } from './extract-text.ts';
import type { AttachmentKind, TextResult } from './types.ts';
import { declaredZipSize } from './zip-size.ts';

/** XML a Word document may declare before it is refused unread (a few thousand pages of text are far less). */
export const MAX_DOCX_XML_BYTES = 64 * 1024 * 1024;

/**
 * The readers of each format. They parse untrusted files, so they run inside the text worker
 * thread (extract-worker.mjs) where a hang costs a terminated thread and a memory bomb its heap
 * cap, never the pipeline. Each resolves a TextResult; a file its library cannot read becomes
 * `failed` with the reason.
 */
export async function readAttachmentText(bytes: Uint8Array, kind: AttachmentKind, limits: TextLimits): Promise<TextResult> {
  switch (kind) {
    case 'pdf':
      return readPdf(bytes, limits);
    case 'docx':
      return readDocx(bytes, limits);
    case 'html':
      return finishText(htmlToText(decodeHtml(bytes, limits)), limits, null);
    case 'text':
    case 'csv':
      return decodeTextFile(bytes, limits);
    default:
      return { status: 'none', code: 'unsupported', reason: 'this file type is not read' };
  }
}

async function readPdf(bytes: Uint8Array, limits: TextLimits): Promise<TextResult> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // No eval of font programs (CVE-2024-4367), no system fonts or font faces: text only, quietly.
    pdf = await getDocumentProxy(bytes, { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  } catch (err) {
    return pdfFailure(err);
  }
  try {
    const pages = Math.min(pdf.numPages, limits.maxPdfPages);
    let text = '';
    for (let n = 1; n <= pages && text.length <= limits.maxChars; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      for (const item of content.items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
      text += '\n\n';
    }
    const result = finishText(text, limits, pdf.numPages);
    if (result.status === 'none') return { status: 'none', code: 'no-text-layer', reason: 'a PDF without a text layer (a scan?): no OCR, no text' };
    if (result.status === 'text' && pdf.numPages > pages) return { ...result, truncated: true };
    return result;
  } catch (err) {
    return pdfFailure(err);
  } finally {
    await pdf.destroy();
  }
}

function pdfFailure(err: unknown): TextResult {
  const name = err instanceof Error ? err.name : '';
  if (name === 'PasswordException') return { status: 'failed', code: 'encrypted', reason: 'the PDF is password-protected' };
  return { status: 'failed', code: 'broken', reason: `the PDF could not be read (${describeError(err)})` };
}

async function readDocx(bytes: Uint8Array, limits: TextLimits): Promise<TextResult> {
  const xml = declaredZipSize(bytes, (name) => /\.(xml|rels)$/i.test(name));
  if (xml !== null && xml > MAX_DOCX_XML_BYTES) {
    const size = Number.isFinite(xml) ? `${Math.round(xml / (1024 * 1024))} MB` : 'a ZIP64 size';
    return { status: 'failed', code: 'too-large', reason: `the Word document declares ${size} of XML (a decompression bomb?): not read` };
  }
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    return finishText(value, limits, null);
  } catch (err) {
    return { status: 'failed', code: 'broken', reason: `the Word document could not be read (${describeError(err)})` };
  }
}

const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
  ],
});

/** HTML bytes as a string, capped (the tag soup of a 15 MB page is not worth reading whole). */
function decodeHtml(bytes: Uint8Array, limits: TextLimits): string {
  const decoded = decodeTextFile(bytes.subarray(0, Math.max(limits.maxChars * 4, 1024 * 1024)), { ...limits, maxChars: Number.MAX_SAFE_INTEGER });
  return decoded.status === 'text' ? decoded.text : '';
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
  return message.replace(/\s+/g, ' ').slice(0, 120);
}
