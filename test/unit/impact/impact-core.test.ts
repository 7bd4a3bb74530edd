import { describe, expect, it } from 'vitest';
import { affectedFacts, citedFacts, describeChange, pairKey, type CitedFacts, type CodeState, type EditState, type MueState, type ReleaseLookup } from '../../../src/impact/impact-core.ts';

const edit = (indicator: string, deletionDate: string | null = null): EditState => ({ column1: '97530', column2: '97140', modifierIndicator: indicator, effectiveDate: '2020-01-01', deletionDate });
const code = (status: CodeState['status'], descriptor: string | null = 'Old words', endDate: string | null = null): CodeState => ({ status, descriptor, endDate });

function lookup(edits: Record<string, EditState | null>, mue: Record<string, MueState | null>, codes: Record<string, CodeState>): ReleaseLookup {
  return {
    edit: (a, b) => edits[pairKey(a, b)],
    mue: (c) => mue[c],
    code: (c) => codes[c],
  };
}

const facts: CitedFacts = { pairs: [['97530', '97140']], mue: ['97110'], codes: [{ code: 'E11.9', systemLabel: 'ICD-10-CM' }] };

describe('affectedFacts: NCCI pairs', () => {
  const cases: [string, EditState | null | undefined, EditState | null | undefined, string[]][] = [
    ['unchanged', edit('1'), edit('1'), []],
    ['indicator 1 → 0', edit('1'), edit('0'), ['indicator-changed']],
    ['edit added', null, edit('0'), ['edit-added']],
    ['edit removed', edit('0'), null, ['edit-removed']],
    ['edit deleted (deletion date set)', edit('1'), edit('1', '2026-04-01'), ['edit-deleted']],
    ['deleted and indicator 9', edit('1'), edit('9', '2026-04-01'), ['edit-deleted', 'indicator-changed']],
    ['no edit either side', null, null, []],
    ['not looked up (release did not touch the pair)', undefined, undefined, []],
  ];
  it.each(cases)('%s', (_name, before, after, changes) => {
    const out = affectedFacts(facts, 'ncci', lookup({ '97140/97530': before as EditState }, {}, {}), lookup({ '97140/97530': after as EditState }, {}, {}));
    expect(out.flatMap((f) => f.changes)).toEqual(changes);
    if (changes.length) expect(out[0]).toMatchObject({ kind: 'pair', fact: '97530/97140', before: before ?? null, after: after ?? null });
  });

  it('a pair cited twice in either order is one fact', () => {
    const twice: CitedFacts = { ...facts, pairs: [['97530', '97140'], ['97140', '97530']] };
    expect(affectedFacts(twice, 'ncci', lookup({ '97140/97530': edit('1') }, {}, {}), lookup({ '97140/97530': edit('0') }, {}, {}))).toHaveLength(1);
  });
});

describe('affectedFacts: MUE', () => {
  const cases: [string, MueState | null, MueState | null, string[]][] = [
    ['unchanged', { value: 4, adjudicationIndicator: '3' }, { value: 4, adjudicationIndicator: '3' }, []],
    ['value 4 → 2', { value: 4, adjudicationIndicator: '3' }, { value: 2, adjudicationIndicator: '3' }, ['mue-value-changed']],
    ['MAI 3 → 2', { value: 4, adjudicationIndicator: '3' }, { value: 4, adjudicationIndicator: '2' }, ['mue-indicator-changed']],
    ['both', { value: 4, adjudicationIndicator: '3' }, { value: 1, adjudicationIndicator: '1' }, ['mue-value-changed', 'mue-indicator-changed']],
    ['limit dropped', { value: 4, adjudicationIndicator: '3' }, null, ['mue-value-changed']],
    ['limit added', null, { value: 4, adjudicationIndicator: '3' }, ['mue-value-changed']],
  ];
  it.each(cases)('%s', (_name, before, after, changes) => {
    const out = affectedFacts(facts, 'mue', lookup({}, { '97110': before }, {}), lookup({}, { '97110': after }, {}));
    expect(out.flatMap((f) => f.changes)).toEqual(changes);
  });
});

describe('affectedFacts: codes', () => {
  const cases: [string, CodeState, CodeState, string[]][] = [
    ['unchanged', code('valid'), code('valid'), []],
    ['whitespace only', code('valid', 'Old  words '), code('valid', 'Old words'), []],
    ['ended (no longer listed)', code('valid'), code('absent', null), ['code-ended']],
    ['ended (termination date)', code('valid'), code('valid', 'Old words', '2026-03-31'), ['code-ended']],
    ['became a header', code('valid'), code('header'), ['code-became-header']],
    ['descriptor changed', code('valid'), code('valid', 'New words'), ['descriptor-changed']],
    ['header stays header', code('header'), code('header'), []],
    ['unknown before', code('absent', null), code('valid'), []],
  ];
  it.each(cases)('%s', (_name, before, after, changes) => {
    const out = affectedFacts(facts, 'codes', lookup({}, {}, { 'E11.9': before }), lookup({}, {}, { 'E11.9': after }));
    expect(out.flatMap((f) => f.changes)).toEqual(changes);
    if (changes.length) expect(out[0]).toMatchObject({ kind: 'code', fact: 'E11.9', before, after });
  });

  it('a release of one kind does not compare the facts of another', () => {
    const out = affectedFacts(facts, 'mue', lookup({ '97140/97530': edit('1') }, {}, { 'E11.9': code('valid') }), lookup({ '97140/97530': edit('0') }, {}, { 'E11.9': code('absent') }));
    expect(out).toEqual([]);
  });
});

describe('citedFacts', () => {
  it('reads codes, checked pairs and MUE limits from stored evidence, skipping unknown codes and unchecked facts', () => {
    const evidence = {
      codes: [{ code: 'E11.9', systemLabel: 'ICD-10-CM', status: 'valid' }, { code: 'ZZZ', systemLabel: 'CPT', status: 'unknown' }],
      pairs: [{ codes: ['97530', '97140'], checked: true }, { codes: ['1', '2'], checked: false }],
      mue: [{ code: '97110', checked: true }, { code: '97112', checked: false }],
    };
    expect(citedFacts(evidence)).toEqual({ codes: [{ code: 'E11.9', systemLabel: 'ICD-10-CM' }], pairs: [['97530', '97140']], mue: ['97110'] });
  });
  it('gives no facts for malformed evidence', () => {
    expect(citedFacts(null)).toEqual({ codes: [], pairs: [], mue: [] });
    expect(citedFacts({ codes: 'x', pairs: [null] })).toEqual({ codes: [], pairs: [], mue: [] });
  });
});

describe('describeChange', () => {
  it('names the before and after', () => {
    const [f] = affectedFacts(facts, 'ncci', lookup({ '97140/97530': edit('1') }, {}, {}), lookup({ '97140/97530': edit('0') }, {}, {}));
    expect(describeChange(f, 'indicator-changed')).toBe('97530/97140: the modifier indicator changed from 1 to 0');
  });
});
