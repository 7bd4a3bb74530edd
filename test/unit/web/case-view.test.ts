import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AttachmentListing } from '../../../src/attachments/access.ts';
import { attachmentView, evidenceView } from '../../../src/web/pages/case-view.ts';
import { createPageRenderer } from '../../../src/web/views.ts';

const evidence = JSON.parse(readFileSync(new URL('../../fixtures/drafts/evidence-cpt-licensed.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const listing: AttachmentListing = {
  id: 1, caseId: 1, caseMessageId: 1, name: 'a.txt', declaredType: 'text/plain', sniffedType: 'text/plain', kind: 'text', size: 68, sizeLabel: '68 bytes',
  sha256: null, inline: false, state: 'clean', reason: null, signature: null, scannedAt: null, textStatus: 'pending', textNote: null, text: null,
};

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

  it('renders the case page (strict templates) from real evidence, escaping what the coder wrote', () => {
    const render = createPageRenderer();
    const html = render('case', {
      title: 'CD-1', user: { email: 'a@b.test', role: 'consultant', isAdmin: false }, csrf: 'tok', flash: null, nav: 'case',
      case: { id: 1, number: 'CD-1', subject: 'Knee <scope>', requester: 'pat@clinic.test', state: 'open', assignee: null, mine: false, plan: 'pro', dueAt: null, flag: 'Malware found in an attachment (Eicar-Test-Signature): quarantined, never downloadable' },
      thread: [{ at: 0, kind: 'inbound', isNote: false, inbound: true, from: 'Pat <pat@clinic.test>', time: '2025-03-03T10:00:00.000Z', subject: [{ text: 'Knee <scope>', code: null, system: null }], body: [{ text: '29881', code: '29881', system: 'cpt' }], html: null, quoted: null, isQuestion: true, attachments: [
        attachmentView({ ...listing, id: 7, name: 'letter <1>.pdf', sniffedType: 'application/pdf', state: 'clean', text: 'CPT 99213', textStatus: 'text' }),
        attachmentView({ ...listing, id: 8, name: 'remit.txt', state: 'infected', signature: 'Eicar-Test-Signature', reason: 'quarantined', textStatus: 'none', textNote: 'quarantined, not read' }),
      ] }],
      viewers: ['lee@casedesk.test'], multipleDrafts: false, drafts: [{ id: 1, state: 'pending', kind: 'answer', current: true }],
      draft: { id: 1, state: 'pending', kind: 'answer', subject: 'Re: Knee', bodyText: 'Hello </textarea><script>x</script>', bodyHtml: '<p>Hello</p>', pending: true, decidedBy: null, decidedAt: null, rejectReason: null, versions: [], placeholder: false, unresolvedNow: [], blocked: false, outbox: null },
      evidence: evidenceView(evidence),
    });
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
});
