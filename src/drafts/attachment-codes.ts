import type { EntityManager } from '@mikro-orm/core';
import { Attachment } from '../attachments/attachment.entity.ts';
import { extractCodes } from '../codes/extract/index.ts';
import type { ExtractedCodes as ExtractorOutput } from '../codes/extract/types.ts';
import type { ExtractedCodes } from './evidence.ts';

/** Where a code of a question was found: `email` (subject or new text) or `attachment:<file name>`. */
export type CodeSource = 'email' | `attachment:${string}`;

/** The codes read from one clean attachment's text. */
export interface AttachmentCodes {
  attachmentId: number;
  name: string;
  codes: ExtractedCodes;
}

const LISTS = ['cpt', 'hcpcs', 'icd10cm', 'icd10pcs', 'modifiers'] as const;

/** The codes in the text of the clean attachments of one case message (text read by the scan stage), in MIME order. */
export async function codesInAttachments(em: EntityManager, caseMessageId: number): Promise<AttachmentCodes[]> {
  const rows = await em.find(Attachment, { caseMessageId, state: 'clean', textStatus: 'text' }, { populate: ['text'], orderBy: { partIndex: 'asc' } });
  return rows.map((row) => {
    const { hits: _hits, ...codes } = extractCodes({ subject: '', body: row.text ?? '' });
    return { attachmentId: row.id, name: row.name, codes };
  });
}

/**
 * The question's codes with the attachments' codes added after the email's (each list keeps
 * first-mention order, no repeats), and for every code where it was found: `email` and/or
 * `attachment:<name>`, in that order.
 */
export function mergeAttachmentCodes(email: ExtractorOutput, attachments: readonly AttachmentCodes[]): { codes: ExtractedCodes; sources: Record<string, CodeSource[]> } {
  const codes: ExtractedCodes = { cpt: [...email.cpt], hcpcs: [...email.hcpcs], icd10cm: [...email.icd10cm], icd10pcs: [...email.icd10pcs], modifiers: [...email.modifiers] };
  const sources: Record<string, CodeSource[]> = {};
  const note = (code: string, source: CodeSource) => {
    const list = (sources[code] ??= []);
    if (!list.includes(source)) list.push(source);
  };
  for (const list of LISTS) for (const code of email[list]) note(code, 'email');
  for (const attachment of attachments) {
    for (const list of LISTS) {
      for (const code of attachment.codes[list]) {
        if (!codes[list].includes(code)) codes[list].push(code);
        note(code, `attachment:${attachment.name}`);
      }
    }
  }
  return { codes, sources };
}
