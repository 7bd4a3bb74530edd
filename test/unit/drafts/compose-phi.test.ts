import { describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { createComposer } from '../../../src/drafts/compose.ts';
import { createReplyRenderer } from '../../../src/drafts/render.ts';

// A question with no code (a needs-info reply, which touches no database) and a date of service.
const TEXT = 'Hello, we saw Zyx Quorble on DOS 03/04/2026 and are not sure what to bill.';
const NAME = { start: TEXT.indexOf('Zyx'), end: TEXT.indexOf(' on DOS') };

function question(phiSpans: CaseMessage['phiSpans']) {
  const caseRow = Object.assign(new Case(), { id: 12, subject: 'Billing question', requesterEmail: 'coder@clinic.test' });
  const message = Object.assign(new CaseMessage(), {
    id: 34, caseId: 12, direction: 'in' as const, messageId: '<q@clinic.test>', messageIdHash: 'h', fromAddress: 'coder@clinic.test', fromName: 'Coder',
    subject: 'Billing question', textNew: TEXT, textFull: TEXT, phiSpans, sentAt: new Date('2026-03-05T10:00:00Z'),
  });
  return { caseRow, message, em: {} as EntityManager, attachments: 0 };
}

describe('the composer and the PHI spans found at filing', () => {
  const compose = createComposer({ renderer: createReplyRenderer(), signatureName: 'CaseDesk' });

  it('quotes the question with the spans stored when it was filed replaced', async () => {
    const draft = await compose(question([{ kind: 'name', ...NAME }]));
    expect(draft.kind).toBe('needs-info');
    expect(draft.bodyText).toContain('we saw [removed: patient name] on DOS');
    expect(`${draft.bodyText}${draft.bodyHtml}`).not.toContain('Quorble');
  });

  it('looks at the text again when no spans were stored, or one of a kind it does not know', async () => {
    for (const spans of [null, [{ kind: 'retired-kind', ...NAME }]]) {
      const draft = await compose(question(spans));
      // The detector itself does not take an unlabelled unknown word for a name: it stays.
      expect(draft.bodyText).toContain('we saw Zyx Quorble on DOS');
    }
  });
});
