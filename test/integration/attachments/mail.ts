import { rawMessage } from '../../support/casedesk.ts';

/** A question with attachments, MIME multipart/mixed, each part base64 (lines of 76). */
export function withAttachments(headers: Record<string, string>, text: string, files: { name: string; type: string; content: Buffer }[]): string {
  const boundary = `att-${Math.random().toString(36).slice(2)}`;
  const parts = [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', text];
  for (const f of files) {
    parts.push(`--${boundary}`, `Content-Type: ${f.type}; name="${f.name}"`, `Content-Disposition: attachment; filename="${f.name}"`, 'Content-Transfer-Encoding: base64', '');
    parts.push(f.content.toString('base64').replace(/.{76}/g, '$&\n'));
  }
  parts.push(`--${boundary}--`, '');
  return rawMessage({ ...headers, 'Content-Type': `multipart/mixed; boundary="${boundary}"` }, parts.join('\n'));
}
