import { describe, expect, it } from 'vitest';
import { insertPhiNotice, PHI_NOTICE_PARAGRAPH } from '../../../src/drafts/phi-notice.ts';

describe('insertPhiNotice', () => {
  it('puts the paragraph before the evidence block of a drafted answer, once', () => {
    const draft = 'Hello Pat,\n\nANSWER\n\nYes.\n\nWHAT WE CHECKED\n\n97530 ...\n';
    const once = insertPhiNotice(draft);
    expect(once).toBe(`Hello Pat,\n\nANSWER\n\nYes.\n\n${PHI_NOTICE_PARAGRAPH}\n\nWHAT WE CHECKED\n\n97530 ...\n`);
    expect(insertPhiNotice(once)).toBe(once);
  });

  it('appends it to a text without an evidence block', () => {
    expect(insertPhiNotice('Thanks,\nLee\n\n')).toBe(`Thanks,\nLee\n\n${PHI_NOTICE_PARAGRAPH}\n`);
  });
});
