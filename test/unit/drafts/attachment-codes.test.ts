import { describe, expect, it } from 'vitest';
import { extractCodes } from '../../../src/codes/extract/index.ts';
import { mergeAttachmentCodes } from '../../../src/drafts/attachment-codes.ts';

const codesOf = (text: string) => {
  const { hits: _hits, ...codes } = extractCodes({ subject: '', body: text });
  return codes;
};

describe('codes from attachments', () => {
  it('adds the attachments’ codes after the email’s and marks every code with where it was found', () => {
    const email = extractCodes({ subject: 'Denied 97530', body: 'Why was 97530 denied? Dx M54.50.' });
    const merged = mergeAttachmentCodes(email, [
      { attachmentId: 7, name: 'denial-letter.pdf', codes: codesOf('Claim line 2: CPT 97140 denied with 97530. Diagnosis M54.50.') },
      { attachmentId: 8, name: 'lines.csv', codes: codesOf('97140,1\n99213,1') },
    ]);
    expect(merged.codes.cpt).toEqual(['97530', '97140', '99213']);
    expect(merged.codes.icd10cm).toEqual(['M54.50']);
    expect(merged.sources).toMatchObject({
      '97530': ['email', 'attachment:denial-letter.pdf'],
      '97140': ['attachment:denial-letter.pdf', 'attachment:lines.csv'],
      '99213': ['attachment:lines.csv'],
      'M54.50': ['email', 'attachment:denial-letter.pdf'],
    });
  });

  it('changes nothing without attachments', () => {
    const email = extractCodes({ subject: '', body: 'Is 99213 with modifier 25 ok?' });
    const merged = mergeAttachmentCodes(email, []);
    expect(merged.codes).toEqual({ cpt: email.cpt, hcpcs: email.hcpcs, icd10cm: email.icd10cm, icd10pcs: email.icd10pcs, modifiers: email.modifiers });
    expect(Object.values(merged.sources).every((s) => s.length === 1 && s[0] === 'email')).toBe(true);
  });
});
