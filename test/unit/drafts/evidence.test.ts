import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEvidence, releaseLabel, type EvidenceInput, type ExtractedCodes } from '../../../src/drafts/evidence.ts';
import { fakeCodeFacts, type FakeCodeFactsCall } from '../../fixtures/drafts/fake-code-facts.ts';

const none: ExtractedCodes = { cpt: [], hcpcs: [], icd10cm: [], icd10pcs: [], modifiers: [] };
const dos = { date: '2025-01-15', source: 'email' as const, written: 'DOS 01/15/2025' };
const input = (codes: Partial<ExtractedCodes>, extra: Partial<EvidenceInput> = {}): EvidenceInput => ({
  codes: { ...none, ...codes },
  dateOfService: dos,
  ...extra,
});

describe('buildEvidence', () => {
  it('describes a valid billable code with its plain-language text and release', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['M54.50'], hcpcs: ['J1885'] }));
    expect(ev.codes.map((c) => c.code)).toEqual(['J1885', 'M54.50']);
    const m = ev.codes[1];
    expect(m).toMatchObject({ systemLabel: 'ICD-10-CM', status: 'valid', statusLabel: 'valid on 2025-01-15', descriptor: 'Low back pain, unspecified', billable: true, header: false, problems: [] });
    expect(m.plainLanguage).toBe('Low back pain, cause not specified.');
    expect(ev.codes[0].descriptor).toBe('Injection, ketorolac tromethamine, per 15 mg');
    expect(ev.unresolved).toEqual([]);
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
  });

  it('flags a header code and lists its billable children once (beside the problem, not in it)', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['M54.5'] }));
    const c = ev.codes[0];
    expect(c.header).toBe(true);
    expect(c.billable).toBe(false);
    expect(c.children.map((x) => x.code)).toEqual(['M54.50', 'M54.51', 'M54.59']);
    expect(c.problems).toEqual(['M54.5 is a header code, not billable: code one of the 3 billable codes under it.']);
  });

  it('says how many children a capped list leaves out', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['Z99.9'] }));
    expect(ev.codes[0]).toMatchObject({ childCount: 40, childrenNotShown: 38 });
    expect(ev.codes[0].problems).toEqual(['Z99.9 is a header code, not billable: code one of the 40 billable codes under it.']);
  });

  it('calls out a missing 7th character from the children of the header', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['S52.501'] }));
    expect(ev.codes[0].problems).toEqual([
      'S52.501 is not billable: the 7th character is missing; valid 7th characters: A, B, C, D.',
    ]);
  });

  it('does not call a CPT code valid when no CPT release is loaded', async () => {
    const facts = fakeCodeFacts();
    const lookup = facts.lookupCode.bind(facts);
    facts.lookupCode = async (code, options) => (code === '97001' ? { input: code, system: 'cpt', code, status: 'unchecked', shortDescription: 'CPT code, descriptor not licensed', licensed: false } : lookup(code, options));
    const ev = await buildEvidence(facts, input({ cpt: ['97001'] }));
    expect(ev.codes[0]).toMatchObject({ status: 'unchecked', statusLabel: 'CPT validity not checked: no CPT release loaded', descriptor: 'CPT descriptor not licensed' });
    expect(ev.unresolved).toEqual([]);
  });

  it('calls out a wrong 7th character from the parent code', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['S52.501Z'] }));
    expect(ev.codes[0].status).toBe('unknown');
    expect(ev.codes[0].problems).toContain('The 7th character "Z" is wrong for S52.501; valid 7th characters: A, B, C, D.');
    expect(ev.unresolved).toEqual(['S52.501Z']);
  });

  it('says when a code ended before the date of service', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['99201'] }));
    expect(ev.codes[0]).toMatchObject({ status: 'ended', endDate: '2020-12-31', statusLabel: 'ended 2020-12-31', descriptor: 'CPT descriptor not licensed' });
    expect(ev.codes[0].problems).toEqual(['99201 ended on 2020-12-31: not valid on the date of service 2025-01-15.']);
    expect(ev.unresolved).toEqual([]);
  });

  it('lists an unknown code as unresolved, with the closest codes', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ icd10cm: ['M54.55'] }));
    const c = ev.codes[0];
    expect(c).toMatchObject({ status: 'unknown', statusLabel: 'unknown', descriptor: null, systemLabel: 'ICD-10-CM' });
    expect(c.closest.map((x) => x.code)).toEqual(['M54.50', 'M54.59']);
    expect(c.problems[0]).toBe('M54.55 is not found in the ICD-10-CM code set as of 2025-01-15. Closest codes: M54.50, M54.59.');
    expect(ev.unresolved).toEqual(['M54.55']);
  });

  it('says an unknown CPT code is missing from the CPT code set (only a loaded CPT release makes one unknown)', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['99999'] }));
    expect(ev.codes[0].problems[0]).toBe('99999 is not found in the CPT code set as of 2025-01-15.');
    expect(ev.unresolved).toEqual(['99999']);
  });

  it('reports an NCCI edit with modifier indicator 1 and the bypass modifiers mentioned', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97140', '97530'], modifiers: ['59', 'LT'] }));
    expect(ev.pairs).toHaveLength(1);
    const p = ev.pairs[0];
    expect(p.codes).toEqual(['97140', '97530']);
    expect(p.edit).toMatchObject({ column1: '97530', column2: '97140', modifierIndicator: '1', effectiveDate: '2020-01-01', deletionDate: null });
    expect(p.summary).toMatch(/^NCCI PTP edit: column 1 97530, column 2 97140; modifier indicator 1: a modifier \(59, XE, XS, XP, XU/);
    expect(p.summary).toMatch(/documentation supports a distinct service/);
    expect(p.modifiersMentioned).toEqual(['59', 'LT']);
  });

  it('reports an NCCI edit with modifier indicator 0 as not bypassable', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['29881', '29880'], modifiers: ['59'] }));
    expect(ev.pairs[0].edit?.modifierIndicator).toBe('0');
    expect(ev.pairs[0].summary).toContain('modifier indicator 0: no modifier bypasses this edit; 29880 is not separately payable with 29881');
    expect(ev.pairs[0].summary).toContain('The question mentions modifier 59, which cannot bypass this edit.');
  });

  it('reports indicator 9 as not applicable and a pair without an edit', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110', '97530'], hcpcs: ['J1885'] }));
    expect(ev.pairs.map((p) => p.codes)).toEqual([['97110', '97530'], ['97110', 'J1885'], ['97530', 'J1885']]);
    expect(ev.pairs[0]).toMatchObject({ edit: null, summary: 'No NCCI PTP edit between 97110 and 97530 in force on 2025-01-15.' });
    expect(ev.pairs[1].summary).toContain('modifier indicator 9: not applicable');
  });

  it('reports an edit the release lists but that is not in force on the date of service', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110', '97140'], modifiers: ['59'] }));
    expect(ev.pairs[0].edit).toMatchObject({ column1: '97140', column2: '97110', inForce: false, deletionDate: '2024-01-01' });
    expect(ev.pairs[0].summary).toBe('No NCCI PTP edit in force on 2025-01-15: the edit column 1 97140, column 2 97110 is deleted as of 2024-01-01.');
    expect(ev.pairs[0].modifiersMentioned).toEqual([]);
  });

  it('says "not checked" rather than "no edit" when no NCCI or MUE release is in force', async () => {
    const ev = await buildEvidence(fakeCodeFacts({ noNcciMue: true }), input({ cpt: ['97530', '97140'] }, { units: { '97530': 9 } }));
    expect(ev.pairs[0]).toMatchObject({ edit: null, checked: false, summary: 'Not checked: no NCCI PTP release is in force on 2025-01-15.' });
    expect(ev.mue[0]).toMatchObject({ value: null, checked: false, exceeded: false, unitsWritten: 9, summary: 'Not checked: no MUE release is in force on 2025-01-15.' });
    expect(ev.versions).toEqual(['ICD-10-CM FY2025', 'HCPCS 2025-01', 'CPT 2025']);
  });

  it('compares units written with the MUE', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110', '97530', '97140'], hcpcs: ['J1885'] }, { units: { '97110': 5, J1885: 2 } }));
    const by = Object.fromEntries(ev.mue.map((m) => [m.code, m]));
    expect(by['97110']).toMatchObject({ value: 4, adjudicationIndicator: '3', unitsWritten: 5, exceeded: true });
    expect(by['97110'].summary).toBe('MUE 4 per day (indicator 3: Date of Service Edit: Clinical); 5 units written: EXCEEDS the MUE.');
    expect(by.J1885).toMatchObject({ value: 8, unitsWritten: 2, exceeded: false });
    expect(by['97530']).toMatchObject({ value: 6, adjudicationIndicator: '3', unitsWritten: null, exceeded: false });
    expect(by['97530'].adjudicationMeaning).toMatch(/clinical/);
    expect(by['97140']).toMatchObject({ value: null, exceeded: false, summary: 'No MUE for 97140 in force on 2025-01-15.' });
  });

  it('describes modifiers: HCPCS text, CPT modifiers unlicensed, unknown ones', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110'], modifiers: ['25', 'LT', 'ZZ'] }));
    expect(ev.modifiers).toEqual([
      { modifier: '25', kind: 'cpt', description: 'CPT modifier', cptText: false, problems: [] },
      { modifier: 'LT', kind: 'hcpcs', description: 'Left side (used to identify procedures performed on the left side of the body)', cptText: false, problems: [] },
      { modifier: 'ZZ', kind: 'hcpcs', description: 'not found in the HCPCS modifier list', cptText: false, problems: ['Modifier ZZ is not found in the HCPCS Level II modifier list.'] },
    ]);
    expect(ev.containsCptText).toBe(false);
  });

  it('shows licensed CPT text and then asks for the AMA notice', async () => {
    const ev = await buildEvidence(fakeCodeFacts({ licensedCpt: true }), input({ cpt: ['97110'], modifiers: ['59'] }));
    expect(ev.codes[0]).toMatchObject({ descriptor: 'Invented fixture descriptor: exercise therapy, each 15 minutes', cptText: true });
    expect(ev.modifiers[0]).toMatchObject({ description: 'Invented fixture modifier text 59', cptText: true });
    expect(ev.containsCptText).toBe(true);
  });

  it('looks everything up as of the date of service and labels its source', async () => {
    const calls: FakeCodeFactsCall[] = [];
    const received = { date: '2025-03-03', source: 'received' as const };
    const ev = await buildEvidence(fakeCodeFacts({ calls }), input({ cpt: ['97110'], icd10cm: ['M54.50'] }, { dateOfService: received }));
    expect(new Set(calls.map((c) => (c.fn === 'releasesInForce' ? c.args[0] : c.args.find((a) => typeof a === 'string' && /^\d{4}-/.test(a)))))).toEqual(new Set(['2025-03-03']));
    expect(ev.dateOfService).toEqual({ date: '2025-03-03', source: 'received', written: null, label: '2025-03-03 (date received; no date of service in the question)' });
    const fromEmail = await buildEvidence(fakeCodeFacts(), input({}));
    expect(fromEmail.dateOfService.label).toBe('2025-01-15 (date of service written in the question: "DOS 01/15/2025")');
  });

  it('stamps the releases used, in a fixed order, without duplicates', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110', '97530'], icd10cm: ['M54.50'] }));
    expect(ev.versions).toEqual(['ICD-10-CM FY2025', 'HCPCS 2025-01', 'CPT 2025', 'NCCI PTP 2025-Q1', 'MUE 2025-Q1']);
    expect(ev.releases[0]).toEqual({ system: 'icd10cm', version: 'FY2025', effectiveDate: '2024-10-01', label: 'ICD-10-CM FY2025' });
  });

  it('de-duplicates codes and handles a question without codes', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input({ cpt: ['97110', '97110'] }));
    expect(ev.codes).toHaveLength(1);
    const empty = await buildEvidence(fakeCodeFacts(), input({}));
    expect(empty).toMatchObject({ codes: [], pairs: [], mue: [], modifiers: [], unresolved: [], containsCptText: false });
  });
});

describe('releaseLabel', () => {
  it.each([
    [{ system: 'icd10cm', version: 'FY2025', effectiveDate: '2024-10-01' }, 'ICD-10-CM FY2025'],
    [{ system: 'ncci', version: '2025-Q1', effectiveDate: '2025-01-01' }, 'NCCI PTP 2025-Q1'],
    [{ system: 'hcpcs', version: 'HCPCS 2025-01', effectiveDate: '2025-01-01' }, 'HCPCS 2025-01'],
    [{ system: 'lcd', version: 'v3', effectiveDate: new Date('2025-01-01') }, 'LCD v3'],
  ])('%o → %s', (release, label) => {
    expect(releaseLabel(release)).toBe(label);
  });
});

describe('fixture evidence used by the template golden files', () => {
  const read = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/drafts', name), 'utf8'));
  /** Compare with the stored fixture; UPDATE_GOLDEN=1 rewrites it (then the template golden files follow). */
  const matchFixture = (actual: unknown, name: string): void => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(import.meta.dirname, '../../fixtures/drafts', name), `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(read(name));
  };

  it('evidence-answer.json is what buildEvidence produces', async () => {
    const ev = await buildEvidence(fakeCodeFacts(), input(
      { cpt: ['97530', '97140', '97110'], hcpcs: ['J1885'], icd10cm: ['M54.5', 'S52.501', 'M54.55'], modifiers: ['59', 'LT'] },
      { units: { '97110': 5, J1885: 2 } },
    ));
    matchFixture(ev, 'evidence-answer.json');
  });

  it('evidence-cpt-licensed.json is what buildEvidence produces', async () => {
    const ev = await buildEvidence(fakeCodeFacts({ licensedCpt: true }), input(
      { cpt: ['29881', '29880'], icd10cm: ['M54.50'], modifiers: ['59'] },
      { dateOfService: { date: '2025-03-03', source: 'received' } },
    ));
    matchFixture(ev, 'evidence-cpt-licensed.json');
  });
});
