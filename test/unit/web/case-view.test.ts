import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AttachmentListing } from '../../../src/attachments/access.ts';
import { attachmentView, evidenceView, factLine } from '../../../src/web/pages/case-view.ts';
import { createPageRenderer } from '../../../src/web/views.ts';

const evidence = JSON.parse(readFileSync(new URL('../../fixtures/drafts/evidence-cpt-licensed.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const listing: AttachmentListing = {
  id: 1, caseId: 1, caseMessageId: 1, name: 'a.txt', declaredType: 'text/plain', sniffedType: 'text/plain', kind: 'text', size: 68, sizeLabel: '68 bytes',
  sha256: null, inline: false, state: 'clean', reason: null, signature: null, scannedAt: null, textStatus: 'pending', textNote: null, text: null,
};

const noSuggestion = { suggested: false, unchanged: false, suggestedText: null, intents: [], facts: [], approveLabel: 'Approve and send', approvedUnchanged: null };
const render = createPageRenderer();
const page = (draft: Record<string, unknown>) => render('case', {
  title: 'CD-1', user: { email: 'a@b.test', role: 'consultant', isAdmin: false }, csrf: 'tok', flash: null, nav: 'case',
  case: { id: 1, number: 'CD-1', subject: 'Knee', requester: 'pat@clinic.test', state: 'open', assignee: null, mine: true, plan: null, dueAt: null, flag: null, held: false, holdReason: null, unverifiedSender: false },
  phi: { found: false, labels: [] },
  thread: [], viewers: [], multipleDrafts: false, drafts: [],
  draft: { id: 1, state: 'pending', kind: 'answer', subject: 'Re: Knee', bodyText: 'ANSWER\n\nIt applies.\n\nWHAT WE CHECKED\n', bodyHtml: '<p>x</p>', pending: true, decidedBy: null, decidedAt: null, rejectReason: null, versions: [], placeholder: false, unresolvedNow: [], blocked: false, outbox: null, suggestion: noSuggestion, reusable: [], ...draft },
  evidence: evidenceView({}),
});

describe('the suggested answer on the case page', () => {
  it('lists the facts beside the answer and the button reads "Approve suggested answer" while unedited', () => {
    const facts = [
      factLine({ kind: 'ncci', codes: ['97530', '97140'], edit: true, column1: '97530', column2: '97140', modifierIndicator: '1', inEffect: true }),
      factLine({ kind: 'mue', code: 'J1885', value: 8, unitsWritten: 10, exceeds: true }),
    ];
    expect(facts).toEqual(['NCCI 97530 + 97140: column 1 97530, column 2 97140, modifier indicator 1', 'MUE J1885: 8 units, 10 written (exceeds)']);
    const suggestion = { ...noSuggestion, suggested: true, unchanged: true, suggestedText: 'ANSWER\n\nIt applies.\n\nWHAT WE CHECKED\n', intents: ['ncci-pair'], facts, approveLabel: 'Approve suggested answer' };
    const html = page({ suggestion });
    expect(html).toContain('<li>NCCI 97530 + 97140: column 1 97530, column 2 97140, modifier indicator 1</li>');
    expect(html).toMatch(/id="approve"[^>]*>Approve suggested answer<\/button>/);
    expect(html).toContain('data-suggested-text="ANSWER');
    const edited = page({ suggestion: { ...suggestion, unchanged: false, approveLabel: 'Approve and send' } });
    expect(edited).toMatch(/id="approve"[^>]*>Approve and send<\/button>/);
    expect(edited).toContain('The text has been edited from the suggestion.');
  });

  it('offers an approved answer to the same question with one click to use it', () => {
    const html = page({ reusable: [{ id: 7, key: 'ncci-pair:97140+97530', body: 'Use 59 only when distinct.', updatedAt: '2026-01-01T00:00:00.000Z' }] });
    expect(html).toContain('<pre class="text" id="reusable-7">Use 59 only when distinct.</pre>');
    expect(html).toContain('data-answer-source="reusable-7">Use this answer</button>');
  });

  it('without a suggestion: no facts section, the plain button', () => {
    const html = page({});
    expect(html).not.toContain('id="suggestion"');
    expect(html).toMatch(/id="approve"[^>]*>Approve and send<\/button>/);
  });
});

describe('evidence on the case page', () => {
  it('reads the evidence core\'s JSON into a view with every field present', () => {
    const view = evidenceView(evidence);
    expect(view.dateOfService).toBe('2025-03-03 (date received; no date of service in the question)');
    expect(view.codes.map((c) => c.code)).toEqual(expect.arrayContaining(['29881', '29880', 'M54.50']));
    expect(view.codes.find((c) => c.code === 'M54.50')).toMatchObject({ system: 'ICD-10-CM', descriptor: 'Low back pain, unspecified', unknown: false });
    expect(view.pairs.length).toBeGreaterThan(0);
    for (const c of view.codes) for (const v of Object.values(c)) expect(v).not.toBeUndefined();
  });

  it('copes with a needs-info draft\'s bare evidence', () => {
    expect(evidenceView({ dateOfService: { date: '2025-01-02' }, hits: [] })).toMatchObject({ dateOfService: '2025-01-02', codes: [], pairs: [], unresolved: [] });
    expect(evidenceView({}).dateOfService).toBeNull();
  });

  const pageView = (overrides: { held: boolean }) => ({
      title: 'CD-1', user: { email: 'a@b.test', role: 'consultant', isAdmin: false }, csrf: 'tok', flash: null, nav: 'case',
      case: { id: 1, number: 'CD-1', subject: 'Knee <scope>', requester: 'pat@clinic.test', state: overrides.held ? 'held' : 'open', assignee: null, mine: false, plan: 'pro', dueAt: null,
        flag: 'Malware found in an attachment (Eicar-Test-Signature): quarantined, never downloadable',
        held: overrides.held, holdReason: overrides.held ? 'unverified sender' : null, unverifiedSender: true },
      phi: { found: true, labels: ['date of birth'] },
      thread: [{ at: 0, kind: 'inbound', isNote: false, inbound: true, from: 'Pat <pat@clinic.test>', time: '2025-03-03T10:00:00.000Z', subject: [{ text: 'Knee <scope>', code: null, system: null }], body: [{ text: '29881', code: '29881', system: 'cpt' }, { text: ' DOB ', code: null, system: null }, { text: '01/02/1950', code: null, system: null, phi: 'date of birth' }], html: null, quoted: null, isQuestion: true,
        phiLabels: ['date of birth'], unverifiedSender: true, senderVerdict: 'unverified', senderReasons: ['dkim=fail (clinic.test: bad signature)'], attachments: [
        attachmentView({ ...listing, id: 7, name: 'letter <1>.pdf', sniffedType: 'application/pdf', state: 'clean', text: 'CPT 99213', textStatus: 'text' }),
        attachmentView({ ...listing, id: 8, name: 'remit.txt', state: 'infected', signature: 'Eicar-Test-Signature', reason: 'quarantined', textStatus: 'none', textNote: 'quarantined, not read' }),
      ] }],
      viewers: ['lee@casedesk.test'], multipleDrafts: false, drafts: [{ id: 1, state: 'pending', kind: 'answer', current: true }],
      draft: { id: 1, state: 'pending', kind: 'answer', subject: 'Re: Knee', bodyText: 'Hello </textarea><script>x</script>', bodyHtml: '<p>Hello</p>', pending: true, decidedBy: null, decidedAt: null, rejectReason: null, versions: [], placeholder: false, unresolvedNow: [], blocked: false, outbox: null, suggestion: noSuggestion, reusable: [] },
      evidence: evidenceView(evidence),
  });

  it('renders the case page (strict templates) from real evidence, escaping what the coder wrote', () => {
    const render = createPageRenderer();
    const html = render('case', pageView({ held: false }));
    expect(html).toContain('Knee &lt;scope&gt;');
    expect(html).toContain('Hello &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('<mark class="code code-cpt" title="cpt 29881">29881</mark>');
    expect(html).toContain('Low back pain, unspecified');
    expect(html).toContain('also open by lee@casedesk.test');
    // Attachments: the clean PDF opens (sandboxed route) with its text; the infected one has no link at all.
    expect(html).toContain('letter &lt;1&gt;.pdf');
    expect(html).toContain('href="/attachments/7"');
    expect(html).toContain('CPT 99213');
    expect(html).not.toContain('href="/attachments/8');
    expect(html).toContain('Eicar-Test-Signature');
    expect(html).toContain('Malware found in an attachment');
  });

  it('highlights marked patient identifiers with a warning and offers the paragraph; badges an unverified sender', () => {
    const render = createPageRenderer();
    const html = render('case', pageView({ held: false }));
    expect(html).toContain('<mark class="phi" title="patient identifier: date of birth">01/02/1950</mark>');
    expect(html).toContain('The coder sent patient identifiers (date of birth)');
    expect(html).toContain('formaction="/drafts/1/phi-notice"');
    expect(html).toContain('class="badge badge-unverified"');
    expect(html).not.toContain('action="/cases/1/release"');
  });

  it('shows a held case with its reason and the release button', () => {
    const html = createPageRenderer()('case', pageView({ held: true }));
    expect(html).toContain('held: unverified sender');
    expect(html).toContain('action="/cases/1/release"');
  });
});
