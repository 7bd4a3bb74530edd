import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evidenceView } from '../../../src/web/pages/case-view.ts';
import { createPageRenderer } from '../../../src/web/views.ts';

const evidence = JSON.parse(readFileSync(new URL('../../fixtures/drafts/evidence-cpt-licensed.json', import.meta.url), 'utf8')) as Record<string, unknown>;

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
        held: overrides.held, holdReason: overrides.held ? 'unverified sender' : null, unverifiedSender: true },
      phi: { found: true, labels: ['date of birth'] },
      thread: [{ at: 0, kind: 'inbound', isNote: false, inbound: true, from: 'Pat <pat@clinic.test>', time: '2025-03-03T10:00:00.000Z', subject: [{ text: 'Knee <scope>', code: null, system: null }], body: [{ text: '29881', code: '29881', system: 'cpt' }, { text: ' DOB ', code: null, system: null }, { text: '01/02/1950', code: null, system: null, phi: 'date of birth' }], html: null, quoted: null, isQuestion: true,
        phiLabels: ['date of birth'], unverifiedSender: true, senderVerdict: 'unverified', senderReasons: ['dkim=fail (clinic.test: bad signature)'] }],
      viewers: ['lee@casedesk.test'], multipleDrafts: false, drafts: [{ id: 1, state: 'pending', kind: 'answer', current: true }],
      draft: { id: 1, state: 'pending', kind: 'answer', subject: 'Re: Knee', bodyText: 'Hello </textarea><script>x</script>', bodyHtml: '<p>Hello</p>', pending: true, decidedBy: null, decidedAt: null, rejectReason: null, versions: [], placeholder: false, unresolvedNow: [], blocked: false, outbox: null },
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
