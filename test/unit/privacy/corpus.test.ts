import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePhi, loadPhiCorpus, precisionRecall } from '../../../scripts/eval-phi.ts';
import { readPhiInput } from '../../../src/cli/commands/phi.ts';
import { findDateOfService } from '../../../src/codes/extract/index.ts';
import { extractCodes } from '../../../src/codes/extract/index.ts';
import { findPhi, PHI_KINDS } from '../../../src/privacy/index.ts';

const corpus = loadPhiCorpus(join(import.meta.dirname, '..', '..', 'fixtures', 'phi'));

describe('PHI corpus (test/fixtures/phi)', () => {
  it('holds at least 100 labelled messages, a blind batch among them', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(corpus.filter((m) => m.id.startsWith('bl-')).length).toBeGreaterThanOrEqual(30);
  });

  it('finds at least 95 % of the identifier spans and marks no code, NPI or date of service', async () => {
    const e = await evaluatePhi(corpus);
    expect(e.problems.filter((p) => p.includes('LABEL NOT IN NEW TEXT'))).toEqual([]);
    const total = PHI_KINDS.reduce((acc, k) => ({ tp: acc.tp + e.byKind[k].tp, fp: acc.fp + e.byKind[k].fp, fn: acc.fn + e.byKind[k].fn, covered: acc.covered + e.byKind[k].covered }), { tp: 0, fp: 0, fn: 0, covered: 0 });
    expect(total.covered / (total.tp + total.fn)).toBeGreaterThanOrEqual(0.95);
    expect(precisionRecall(total).r).toBeGreaterThanOrEqual(0.95);
    expect(precisionRecall(total).p).toBeGreaterThanOrEqual(0.95);
    expect(e.keepViolations).toBe(0);
    expect(e.keepChecked).toBeGreaterThan(200);
  });

  it('never marks a code the extractor reports, nor the date of service the draft stage reads', async () => {
    for (const msg of corpus) {
      const { newText, senderAddress } = await readPhiInput(msg.raw);
      const spans = findPhi(newText, { senderAddress });
      const overlaps = (start: number, end: number): boolean => spans.some((s) => s.start < end && start < s.end);
      for (const hit of extractCodes({ subject: '', body: newText }).hits) {
        // A lone two-letter "modifier" inside an address is the extractor reading a state (GA, IL).
        if (hit.system === 'modifier' && hit.attachedTo === undefined) continue;
        // Inside a labelled identifier the label wins: `Member #: H5521-00473` holds no code 00473.
        const inside = spans.find((s) => s.start < hit.end && hit.start < s.end);
        if (inside && ['member-id', 'mrn', 'mbi', 'ssn'].includes(inside.kind) && inside.end - inside.start > hit.end - hit.start) continue;
        expect(overlaps(hit.start, hit.end), `${msg.id}: ${hit.written}`).toBe(false);
      }
      const dos = findDateOfService(newText);
      if (dos) {
        const at = newText.indexOf(dos.written);
        expect(overlaps(at, at + dos.written.length), `${msg.id}: DOS ${dos.written}`).toBe(false);
      }
    }
  });
});
