import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseDateOfService } from '../../../src/drafts/compose.ts';
import type { CodeFacts } from '../../../src/drafts/code-facts.ts';
import { buildEvidence, evidenceShown, notCheckedOf, type Evidence, type ExtractedCodes } from '../../../src/drafts/evidence.ts';
import { createReplyRenderer, hasAnswerPlaceholder } from '../../../src/drafts/render.ts';
import { CONSULTANT_ANSWER_MARKER, type ReplyViews } from '../../../src/drafts/reply-view.ts';
import { fakeCodeFacts, RELEASES } from '../../fixtures/drafts/fake-code-facts.ts';

const renderer = createReplyRenderer();
const none: ExtractedCodes = { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] };
const dos = { date: '2025-01-15', source: 'email' as const, written: 'DOS 01/15/2025' };

function answerView(evidence: Evidence, suggestedAnswer: string | null): ReplyViews['answer'] {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/drafts/views/answer.json'), 'utf8')) as { view: ReplyViews['answer'] };
  return { ...fixture.view, evidence, suggestedAnswer };
}

describe('the suggested answer in the draft', () => {
  it('takes the place of the consultant marker in the text and the HTML, one paragraph each', async () => {
    const evidence = await buildEvidence(fakeCodeFacts(), { codes: { ...none, cpt: ['97530', '97140'] }, dateOfService: dos });
    const answer = 'Checked against the code data in force on the date of service, 2025-01-15.\n\n97140 is column 2 of 97530 & <b>.';
    const out = renderer.render('answer', answerView(evidence, answer));
    expect(out.text).not.toContain(CONSULTANT_ANSWER_MARKER);
    expect(hasAnswerPlaceholder(out.text)).toBe(false);
    expect(out.text).toContain(`ANSWER\n\n${answer}\n\nWHAT WE CHECKED`);
    expect(out.html).not.toContain(CONSULTANT_ANSWER_MARKER);
    expect(out.html).toContain('>97140 is column 2 of 97530 &amp; &lt;b&gt;.</p>');
    expect(out.html.match(/<p style="margin:0 0 1em 0; white-space:pre-wrap;">/g)).toHaveLength(2);
  });

  it('keeps the marker when nothing was recognised', async () => {
    const evidence = await buildEvidence(fakeCodeFacts(), { codes: { ...none, cpt: ['97110'] }, dateOfService: dos });
    for (const answer of [null, '  ']) {
      const out = renderer.render('answer', answerView(evidence, answer));
      expect(out.text).toContain(`\n${CONSULTANT_ANSWER_MARKER}\n`);
      expect(out.html).toContain(CONSULTANT_ANSWER_MARKER);
    }
  });
});

describe('what was not checked, said once', () => {
  it('leaves unchecked pairs and MUE limits out of their lists and says so once, plainly', async () => {
    const evidence = await buildEvidence(fakeCodeFacts({ noNcciMue: true }), { codes: { ...none, cpt: ['97530', '97140', '97110'] }, dateOfService: dos });
    expect(evidence.pairs).toHaveLength(3);
    expect(notCheckedOf(evidence)).toEqual([
      'NCCI PTP edits: no NCCI PTP release is in force on 2025-01-15.',
      'MUE limits: no MUE release is in force on 2025-01-15.',
    ]);
    const shown = evidenceShown(evidence);
    expect(shown.pairs).toEqual([]);
    expect(shown.mue).toEqual([]);
    const out = renderer.render('answer', answerView(evidence, null));
    expect(out.text.match(/not checked|Not checked|NOT CHECKED/g)).toHaveLength(1);
    expect(out.text).toContain('NOT CHECKED\n- NCCI PTP edits: no NCCI PTP release is in force on 2025-01-15.\n- MUE limits: no MUE release is in force on 2025-01-15.');
    expect(out.text).not.toContain('NCCI PROCEDURE-TO-PROCEDURE');
  });

  it('a release that answered with an edit was consulted: no "not checked" beside the cited edit', async () => {
    const base = fakeCodeFacts();
    // The NCCI release is not "in force" on the date (loaded for a later quarter) but holds the edit.
    const facts: CodeFacts = { ...base, releasesInForce: async () => [RELEASES.mue, RELEASES.hcpcs] };
    const evidence = await buildEvidence(facts, { codes: { ...none, cpt: ['97530', '97140', '29881'] }, dateOfService: dos });
    expect(evidence.pairs.every((p) => p.checked)).toBe(true);
    expect(evidence.pairs.find((p) => p.edit)?.summary).toContain('column 1 97530, column 2 97140');
    const out = renderer.render('answer', answerView(evidence, 'The edit applies.'));
    expect(out.text).not.toMatch(/no NCCI PTP release/);
    expect(out.text).toContain('No NCCI PTP edit between 97530 and 29881 in force on 2025-01-15.');
  });

  it('CPT without a CPT release: validity not checked, said once (not "valid on")', async () => {
    const base = fakeCodeFacts();
    const facts: CodeFacts = {
      ...base,
      lookupCode: async (code, o) => (o.kind === 'cpt' ? { input: code, system: 'cpt', code, status: 'unchecked', licensed: false } : base.lookupCode(code, o)),
    };
    const evidence = await buildEvidence(facts, { codes: { ...none, cpt: ['97001'] }, dateOfService: dos });
    expect(notCheckedOf(evidence)[0]).toBe('CPT validity of 97001: no CPT release is loaded.');
    const out = renderer.render('answer', answerView(evidence, null));
    expect(out.text).not.toMatch(/97001[^\n]*valid on/);
    expect(out.text).toContain('- 97001 (CPT, validity not checked)');
    expect(out.text).toContain('- CPT validity of 97001: no CPT release is loaded.');
  });
});

describe('a follow-up inherits the case date of service', () => {
  const sentAt = new Date('2025-06-01T15:30:00Z');
  it('takes the date written in the latest earlier question of the case', () => {
    const earlier = [
      { subject: 'Billing question', textNew: 'DOS 01/15/2025: may 97530 and 97140 be billed together?' },
      { subject: 'Re: Billing question', textNew: 'Sorry, the DOS was 02/03/2025.' },
      { subject: 'Re: Billing question', textNew: 'Thanks!' },
    ];
    expect(chooseDateOfService({ subject: 'Re: Billing question', textNew: 'And with 97110?', sentAt }, earlier)).toEqual({ date: '2025-02-03', source: 'case', written: '02/03/2025' });
  });

  it('a date written in the follow-up itself wins; none anywhere falls back to the date received', () => {
    const earlier = [{ subject: 'Q', textNew: 'DOS 01/15/2025 97110' }];
    expect(chooseDateOfService({ subject: 'Re: Q', textNew: 'DOS 03/03/2025 now 97140', sentAt }, earlier)).toMatchObject({ date: '2025-03-03', source: 'email' });
    expect(chooseDateOfService({ subject: 'Re: Q', textNew: 'And 97140?', sentAt }, [{ subject: 'Q', textNew: '97110?' }])).toEqual({ date: '2025-06-01', source: 'received', written: null });
  });

  it('labels the case date in the evidence', async () => {
    const evidence = await buildEvidence(fakeCodeFacts(), { codes: { ...none, hcpcs: ['J1885'] }, dateOfService: { date: '2025-02-03', source: 'case', written: '02/03/2025' } });
    expect(evidence.dateOfService.label).toBe('2025-02-03 (date of service of this case, written in an earlier message: "02/03/2025")');
  });
});
