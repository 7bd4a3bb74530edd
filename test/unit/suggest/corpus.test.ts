import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswersCorpus, parseAnswersCorpus, scoreSuggestion } from '../../../scripts/answers-corpus.ts';
import { INTENTS, type Suggestion } from '../../../src/drafts/suggest/types.ts';

const DIR = 'test/fixtures/answers';
const CODES = join(DIR, 'codes');

describe('the labelled answers corpus', () => {
  const corpus = loadAnswersCorpus(DIR);

  it('has at least 150 questions, every intent several times, unique ids', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    for (const intent of INTENTS) expect(corpus.filter((q) => q.intents.includes(intent)).length, intent).toBeGreaterThanOrEqual(5);
    expect(new Set(corpus.map((q) => q.id)).size).toBe(corpus.length);
  });

  it('holds a blind set written before scoring, and replies, forwards and HTML mail', () => {
    expect(corpus.filter((q) => /^9\d.*blind/.test(q.file)).length).toBeGreaterThanOrEqual(40);
    expect(corpus.some((q) => /^> /m.test(q.raw))).toBe(true);
    expect(corpus.some((q) => /Forwarded message/.test(q.raw))).toBe(true);
    expect(corpus.some((q) => /content-type: text\/html/i.test(q.raw))).toBe(true);
  });

  it('never carries CPT descriptor text (only codes)', () => {
    for (const q of corpus) expect(q.raw, q.id).not.toMatch(/Invented fixture descriptor/);
  });
});

describe('the NCCI and MUE fixtures are in the CMS layouts', () => {
  const files = readdirSync(CODES);

  it('PTP: CRLF, copyright line first, multi-line column header, tab-delimited rows', () => {
    for (const f of files.filter((x) => x.startsWith('ccipra-'))) {
      const text = readFileSync(join(CODES, f), 'latin1');
      const lines = text.split('\r\n');
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      expect(lines[0]).toMatch(/copyright .* American Medical Association/i);
      expect(lines[2]).toMatch(/^Column 1\tColumn 2\t/);
      expect(lines.slice(3, 6).every((l) => /^\t/.test(l))).toBe(true);
      expect(lines[6]).toMatch(/^[0-9A-Z]{5}\t[0-9A-Z]{5}\t\*?\t\d{8}\t(?:\d{8}|\*)\t[019]\t/);
    }
  });

  it('MUE: named ..._Eff_MM-DD-YYYY.csv, copyright line first, quoted adjudication indicator', () => {
    const mue = files.filter((x) => x.startsWith('MCR_MUE_'));
    expect(mue.length).toBeGreaterThan(0);
    for (const f of mue) {
      expect(f).toMatch(/^MCR_MUE_PractitionerServices_Eff_\d{2}-\d{2}-\d{4}\.csv$/);
      const lines = readFileSync(join(CODES, f), 'latin1').split('\r\n');
      expect(lines[0]).toMatch(/^"CPT codes, descriptions and other data only are copyright/);
      expect(lines[2]).toMatch(/^[0-9A-Z]{5},\d+,"[123] (?:Line Edit|Date of Service Edit: (?:Policy|Clinical))",/);
    }
  });
});

describe('scoring a suggestion against its labels', () => {
  const [q] = parseAnswersCorpus(
    '=== t-1\nintents: ncci-pair\nncci: 97140 97530 | 97530 97140 1 in\n---\nCan 97140 and 97530 be billed together?\n',
    'inline.txt',
  );
  const fact = { kind: 'ncci' as const, codes: ['97140', '97530'] as [string, string], edit: true, column1: '97530', column2: '97140', modifierIndicator: '1' as const, inEffect: true };
  const answer = '97140 and 97530: an NCCI PTP edit is in effect on 2026-01-15 (NCCI PTP 2026Q1, effective 2026-01-01): column 1 97530, column 2 97140, modifier indicator 1.';
  const suggestion = (over: Partial<Suggestion>): Suggestion => ({ intents: ['ncci-pair'], answer, facts: [fact], missing: [], sources: [], ...over });

  it('all right when intents, facts and statements agree', () => {
    expect(scoreSuggestion(q, suggestion({}))).toEqual({ intentsRight: true, factsRight: true, stated: true, problems: [] });
  });

  it('a wrong field, an extra fact, an extra intent or an unstated fact each count', () => {
    expect(scoreSuggestion(q, suggestion({ facts: [{ ...fact, modifierIndicator: '0' }] })).factsRight).toBe(false);
    expect(scoreSuggestion(q, suggestion({ facts: [fact, { kind: 'modifier', modifier: '59', code: null }] })).factsRight).toBe(false);
    expect(scoreSuggestion(q, suggestion({ intents: ['ncci-pair', 'units'] })).intentsRight).toBe(false);
    expect(scoreSuggestion(q, suggestion({ answer: 'They may be billed together.' })).stated).toBe(false);
  });
});
