import { describe, expect, it } from 'vitest';
import { suggestAnswer, toContractJson } from '../../../src/drafts/suggest/index.ts';
import { statedProblems } from '../../../scripts/answers-corpus.ts';
import { fakeSuggestPort } from './fake-suggest-port.ts';

const ask = (text: string, options: { subject?: string; noNcci?: boolean; date?: string } = {}) =>
  suggestAnswer(fakeSuggestPort({ noNcci: options.noNcci }), { subject: options.subject ?? '', text, fallbackDate: options.date ?? '2026-02-01' });

describe('composeAnswer: NCCI pairs', () => {
  it('indicator 1: column 1 and 2 in either order of mention, the modifier goes on column 2, the record must show it', async () => {
    const s = await ask('Can 97140 be billed with 97530 on the same day? DOS 01/20/2026');
    expect(s.intents).toEqual(['ncci-pair']);
    expect(s.facts).toEqual([{ kind: 'ncci', codes: ['97140', '97530'], edit: true, column1: '97530', column2: '97140', modifierIndicator: '1', inEffect: true }]);
    expect(s.answer).toContain('column 1 97530, column 2 97140, modifier indicator 1');
    expect(s.answer).toContain('NCCI PTP 2026Q1, effective 2026-01-01');
    expect(s.answer).toMatch(/59, or the more specific XE, XS, XP or XU .* goes on 97140/);
    expect(s.answer).toContain('only when the record shows');
    expect(s.sources).toContain('NCCI PTP 2026Q1');
    expect(statedProblems(s)).toEqual([]);
  });

  it('indicator 0: no modifier bypasses the edit', async () => {
    const s = await ask('Is 36416 separately reportable with 36415? DOS 02/03/2026');
    expect(s.facts[0]).toMatchObject({ column1: '36415', column2: '36416', modifierIndicator: '0', inEffect: true });
    expect(s.answer).toContain('no modifier (59, XE, XS, XP, XU or any other) bypasses this edit');
  });

  it('a deleted edit is no edit on the date; payer policies may still apply', async () => {
    const s = await ask('Is there an NCCI edit between 97032 and G0283? DOS 02/02/2026');
    expect(s.facts[0]).toEqual({ kind: 'ncci', codes: ['97032', 'G0283'], edit: true, column1: '97032', column2: 'G0283', modifierIndicator: '1', inEffect: false });
    expect(s.answer).toContain('no NCCI PTP edit is in effect on 2026-02-02');
    expect(s.answer).toContain('was deleted effective 2024-01-01');
    expect(s.answer).toContain('Payer policies may still apply.');
  });

  it('indicator 9: not applicable', async () => {
    const s = await ask('Is there a CCI edit for G0283 and 97014? DOS 01/05/2026');
    expect(s.facts[0]).toMatchObject({ modifierIndicator: '9', inEffect: true });
    expect(s.answer).toContain('Indicator 9 means not applicable');
  });

  it('no edit listed: says so, and that payer policies may still apply', async () => {
    const s = await ask('Do 97110 and 97140 bundle? dos 1/13/2026');
    expect(s.facts).toEqual([{ kind: 'ncci', codes: ['97110', '97140'], edit: false, column1: null, column2: null, modifierIndicator: null, inEffect: false }]);
    expect(s.answer).toContain('no NCCI PTP edit between them (NCCI PTP 2026Q1, effective 2026-01-01)');
    expect(s.answer).toContain('Payer policies may still apply.');
  });

  it('no NCCI release: no ncci fact at all, and missing says so', async () => {
    const s = await ask('Can 97140 and 97530 be billed together? DOS 01/20/2026', { noNcci: true });
    expect(s.facts).toEqual([]);
    expect(s.missing).toContain('no NCCI release loaded for 2026-01-20');
    expect(s.answer).toContain('NCCI PTP edits were not checked');
  });

  it('an E/M as column 2 takes 25, not 59', async () => {
    const s = await ask('Can 99213 and 20610 be billed the same day? DOS 01/08/2026');
    expect(s.answer).toContain('modifier 25 goes on 99213');
    expect(s.answer).toContain('59 and XE/XS/XP/XU are not used on an E/M');
  });
});

describe('composeAnswer: units', () => {
  it('MUE value, adjudication indicator, units written over it, appeal note', async () => {
    const s = await ask('we gave eight units of J1885 and then billed J1885 x10 on DOS 01/16/2026, ok?');
    expect(s.intents).toEqual(['units']);
    expect(s.facts).toEqual([{ kind: 'mue', code: 'J1885', value: 8, unitsWritten: 8, exceeds: false }]);
    const over = await ask('Billed J1885 x10 on DOS 01/16/2026. Is that going to deny?');
    expect(over.facts).toEqual([{ kind: 'mue', code: 'J1885', value: 8, unitsWritten: 10, exceeds: true }]);
    expect(over.answer).toContain('the MUE is 8 units per day (MUE 2026Q1, effective 2026-01-01), adjudication indicator 3');
    expect(over.answer).toContain('You wrote 10 units: that is more than the MUE of 8');
    expect(over.answer).toContain('may be paid on appeal');
  });

  it('indicator 2 is absolute; indicator 1 is per claim line', async () => {
    expect((await ask('64483 with 2 units on DOS 02/10/2026 - does the MUE allow 2?')).answer).toContain('an appeal on medical necessity does not change it');
    expect((await ask('max units for L3908? DOS 02/10/2026')).answer).toContain('1 unit per claim line');
  });

  it('a code without an MUE; no MUE release gives no mue fact', async () => {
    const s = await ask('Is there an MUE on 97124? dos 02/15/2026');
    expect(s.facts).toEqual([{ kind: 'mue', code: '97124', value: null, unitsWritten: null, exceeds: null }]);
    expect(s.answer).toContain('no MUE is listed for it');
    const early = await ask('J1885 x4 for DOS 12/10/2025 - how many units are allowed?');
    expect(early.facts).toEqual([]);
    expect(early.missing).toContain('no MUE release loaded for 2025-12-10');
  });
});

describe('composeAnswer: validity, billable, descriptor', () => {
  it('a header lists its billable children and says a more specific code is needed', async () => {
    const s = await ask('Is M54.5 specific enough to bill? dos 01/03/2026');
    expect(s.facts).toEqual([{ kind: 'code', code: 'M54.5', system: 'icd10cm', valid: true, billable: false, header: true, children: ['M54.50', 'M54.51', 'M54.59'] }]);
    expect(s.answer).toContain('M54.5 is a header code (ICD-10-CM FY2026, effective 2025-10-01): Low back pain. It is not a billable code: a more specific code is needed.');
    expect(s.answer).toContain('M54.50 (Low back pain, unspecified); M54.51');
  });

  it('a missing 7th character lists the valid completions', async () => {
    const s = await ask('Does S52.501 need a 7th character? DOS 01/20/2026');
    expect(s.answer).toContain('S52.501 is not billable as written: it needs a 7th character');
    expect(s.answer).toContain('Valid completions: S52.501A');
  });

  it('an ended code gives the closest current codes (same 7th character first)', async () => {
    const s = await ask('Is S30.1XXA still valid? DOS 01/05/2026');
    expect(s.facts[0]).toMatchObject({ code: 'S30.1XXA', valid: false });
    expect(s.answer).toContain('S30.1XXA is not valid on 2026-01-05: it ended on 2025-09-30');
    expect(s.answer).toContain('Closest current codes: S30.11XA');
    expect(s.answer).toContain('S30.12XA');
    expect(s.answer).not.toContain('S30.11XD');
  });

  it('descriptor: official text plus the plain-language one', async () => {
    const s = await ask('what is M54.50? DOS 01/07/2026');
    expect(s.answer).toContain('M54.50 is a valid, billable ICD-10-CM code on 2026-01-07 (ICD-10-CM FY2026, effective 2025-10-01): Low back pain, unspecified.');
    expect(s.answer).toContain('In plain words: Low back pain, cause not specified.');
  });

  it('a code set with no release loaded for the date is "not checked", never "not a valid code"', async () => {
    const before = await ask('What does Z99.98 mean? DOS 01/15/2020');
    expect(before.answer).toContain('Z99.98 has the form of an ICD-10-CM code, but no ICD-10-CM release is loaded for 2020-01-15');
    expect(before.answer).not.toContain('not a valid');
    expect(before.missing).toContain('ICD-10-CM not checked: no ICD-10-CM release loaded for 2020-01-15');
    const loaded = await ask('What does Z99.98 mean? DOS 01/15/2026');
    expect(loaded.answer).toContain('Z99.98 is not a valid ICD-10-CM code on 2026-01-15');
    expect(loaded.missing.join(' ')).not.toContain('not checked: no ICD-10-CM release');
  });

  it('CPT without a licence: says the descriptor is not licensed and validity was not checked, never invents text', async () => {
    const s = await ask('What does 97110 mean? DOS 01/06/2026');
    expect(s.facts).toEqual([{ kind: 'code', code: '97110', system: 'cpt', valid: true, billable: null, header: false, children: [] }]);
    expect(s.answer).toContain('No CPT release is loaded, so its validity on 2026-01-06 was not checked here');
    expect(s.missing).toEqual(expect.arrayContaining(['CPT validity not checked: no CPT release loaded', 'CPT descriptor not licensed']));
  });
});

describe('composeAnswer: modifiers', () => {
  it('59 on the column 1 code is on the wrong code', async () => {
    const s = await ask('97530-59 with 97140 on DOS 01/19/2026. Is the 59 right?');
    expect(s.intents).toEqual(['ncci-pair', 'modifier']);
    expect(s.facts).toContainEqual({ kind: 'modifier', modifier: '59', code: '97530' });
    expect(s.answer).toContain('59 is on the wrong code: it belongs on 97140, the column 2 code');
  });

  it('without an NCCI release, the modifier paragraph never claims there is no edit', async () => {
    const s = await ask('We billed 97140 and 97530 on DOS 01/20/2026. Do we need modifier 59 on 97530?', { noNcci: true });
    expect(s.answer).toContain('NCCI PTP edits were not checked');
    expect(s.answer).toContain('Whether 97140 and 97530 need 59 depends on an NCCI PTP edit that was not checked here.');
    expect(s.answer).not.toMatch(/No NCCI PTP edit between/i);
  });

  it('25 belongs on the E/M billed the same day as a procedure', async () => {
    const wrong = await ask('We had it as 20610-25 with 99213. DOS 01/29/2026');
    expect(wrong.answer).toContain('25 is on the wrong code: 20610 is not an E/M');
    const right = await ask('99213-25 with 20610, DOS 01/29/2026, ok?');
    expect(right.answer).toContain('25 on 99213 is the right place: it is the E/M billed the same day as 20610');
    expect(right.answer).toContain('significant, separately identifiable E/M');
  });

  it('an anatomic modifier on an orthosis (L code), said once for RT and LT', async () => {
    const s = await ask('L3908 with RT and LT - right? DOS 01/28/2026');
    expect(s.facts).toEqual([
      { kind: 'modifier', modifier: 'RT', code: 'L3908' },
      { kind: 'modifier', modifier: 'LT', code: 'L3908' },
    ]);
    expect(s.answer).toContain('RT on L3908 is the right kind of modifier');
    expect(s.answer).toContain('LT on L3908: the same applies.');
  });
});

describe('composeAnswer: code-for-words, other, the date used', () => {
  it('search candidates are presented as candidates to verify', async () => {
    const s = await ask("What's the ICD-10 code for type 2 diabetes with hyperglycemia? DOS 01/15/2026");
    expect(s.facts).toEqual([{ kind: 'search', words: 'type 2 diabetes with hyperglycemia', codes: ['E11.65'] }]);
    expect(s.answer).toContain('Candidates to verify for "type 2 diabetes with hyperglycemia"');
  });

  it('nothing recognised: no answer (the draft keeps the marker), and the contract JSON says ""', async () => {
    const s = await ask('Does Medicare cover acupuncture?');
    expect(s).toMatchObject({ intents: ['other'], answer: null, facts: [] });
    expect(toContractJson(s)).toEqual({ intents: ['other'], answer: '', facts: [], missing: ['date of service not given; used 2026-02-01'] });
  });

  it('without a written date of service, the date used is said in missing and in the answer', async () => {
    const s = await ask('Is M54.5 billable?', { date: '2026-02-01' });
    expect(s.missing).toContain('date of service not given; used 2026-02-01');
    expect(s.answer).toMatch(/^No date of service was given, so this was checked against the code data in force on 2026-02-01\./);
  });
});
