import { describe, expect, it } from 'vitest';
import { answerSection, measureEdit, normalisedDistance, sameText } from '../../../src/review/edit-measure.ts';
import { draftStats, formatDraftStats, median, type DraftStatsRow } from '../../../src/review/draft-stats.ts';
import { keyCodes, reusableKey } from '../../../src/review/reusable-answers.ts';

const reply = (answer: string) => `Hello Pat,\n\nThank you for your question. You wrote:\n\n> 97530 and 97140?\n\nANSWER\n\n${answer}\n\nWHAT WE CHECKED\n\nDate of service: 2025-01-15\n\nKind regards,\nLee\n`;

describe('measuring a consultant\'s edit', () => {
  const suggestedAnswer = 'Checked on 2025-01-15.\n\n97140 is column 2 of 97530, modifier indicator 1.';
  const suggestedText = reply(suggestedAnswer);

  it('an untouched textarea (CRLF, trailing blanks) is unchanged, distance 0', () => {
    const fromBrowser = suggestedText.replace(/\n/g, '\r\n').replace('WHAT WE CHECKED', 'WHAT WE CHECKED  ');
    expect(sameText(suggestedText, fromBrowser)).toBe(true);
    expect(measureEdit({ suggestedText, suggestedAnswer, approvedText: fromBrowser })).toEqual({ approvedUnchanged: true, editDistance: 0 });
  });

  it('an edit is measured on the answer only, normalised to 0..1', () => {
    const edited = reply(`${suggestedAnswer}\n\nUse XU here.`);
    const m = measureEdit({ suggestedText, suggestedAnswer, approvedText: edited });
    expect(m.approvedUnchanged).toBe(false);
    expect(m.editDistance).toBeCloseTo(14 / (suggestedAnswer.length + 14), 3);
    const rewritten = measureEdit({ suggestedText, suggestedAnswer, approvedText: reply('No.') });
    expect(rewritten.editDistance).toBeGreaterThan(0.9);
    expect(rewritten.editDistance).toBeLessThanOrEqual(1);
  });

  it('no suggestion: nothing to measure', () => {
    expect(measureEdit({ suggestedText: null, suggestedAnswer: null, approvedText: 'x' })).toEqual({ approvedUnchanged: null, editDistance: null });
  });

  it('the answer section leaves out greeting, question, evidence and signature', () => {
    expect(answerSection(reply('Line one.\n\nLine two.'))).toBe('Line one.\n\nLine two.');
    expect(answerSection('Hi Jane,\n\nBill 97140 with XU.\n\nKind regards,\nLee Consultant')).toBe('Bill 97140 with XU.');
    expect(normalisedDistance('', '')).toBe(0);
    expect(normalisedDistance('abc', 'xyz')).toBe(1);
  });
});

describe('draft stats', () => {
  const row = (intents: string[], state: string, approvedUnchanged: boolean | null, editDistance: number | null, suggested = true): DraftStatsRow => ({ intents, state, suggested, approvedUnchanged, editDistance });

  it('counts overall and per intent: suggested, unchanged, edited, median distance, rejected', () => {
    const stats = draftStats([
      row(['ncci-pair'], 'sent', true, 0),
      row(['ncci-pair', 'modifier'], 'approved', false, 0.2),
      row(['units'], 'sent', false, 0.6),
      row(['units'], 'rejected', null, null),
      row(['validity'], 'pending', null, null),
      row(['other'], 'sent', null, null, false),
    ], '2026-01-01');
    expect(stats.overall).toEqual({ suggested: 5, approvedUnchanged: 1, approvedEdited: 2, medianEditDistance: 0.2, rejected: 1 });
    expect(stats.byIntent['ncci-pair']).toEqual({ suggested: 2, approvedUnchanged: 1, approvedEdited: 1, medianEditDistance: 0.1, rejected: 0 });
    expect(stats.byIntent.units).toEqual({ suggested: 2, approvedUnchanged: 0, approvedEdited: 1, medianEditDistance: 0.6, rejected: 1 });
    expect(stats.byIntent.validity.medianEditDistance).toBeNull();
    expect(stats.byIntent.other).toBeUndefined();
    expect(formatDraftStats(stats)).toContain('(all)');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNull();
  });
});

describe('reusable answer keys', () => {
  it('a code pair matches in either order; intents without codes have no key', () => {
    const a = { cpt: ['97530', '97140'], hcpcs: [], icd10cm: ['M54.50'], modifiers: ['59'] };
    const b = { cpt: ['97140', '97530'], modifiers: [] };
    expect(reusableKey('ncci-pair', a)).toBe('ncci-pair:97140+97530');
    expect(reusableKey('ncci-pair', b)).toBe(reusableKey('ncci-pair', a));
    expect(reusableKey('validity', a)).toBe('validity:97140+97530+M54.50');
    expect(keyCodes('modifier', a)).toEqual(['59', '97140', '97530']);
    expect(reusableKey('other', a)).toBeNull();
    expect(reusableKey('code-for-words', a)).toBeNull();
    expect(reusableKey('units', { icd10cm: ['M54.50'] })).toBeNull();
  });
});
