import { describe, expect, it } from 'vitest';
import { SearchIndex, type SearchDoc } from '../../../src/codes/search-index.ts';
import { stem, terms, withinEdits } from '../../../src/codes/search-text.ts';

const doc = (system: SearchDoc['system'], code: string, description: string, extra = ''): SearchDoc => ({ system, code, description, extra, header: false });
const docs = [
  doc('icd10cm', 'M54.50', 'Low back pain, unspecified'),
  doc('icd10cm', 'M54.51', 'Vertebrogenic low back pain'),
  doc('icd10cm', 'M54.6', 'Pain in thoracic spine'),
  doc('icd10cm', 'M79.601', 'Pain in right arm'),
  doc('icd10cm', 'S39.012A', 'Strain of muscle, fascia and tendon of lower back, initial encounter'),
  doc('hcpcs', 'L3908', 'Wrist hand orthosis, wrist extension control cock-up, non molded, prefabricated, off-the-shelf', 'Who cock-up nonmolde pre ots'),
  doc('hcpcs', 'L3906', 'Wrist hand orthosis, without joints, may include soft interface, straps, custom fabricated'),
  doc('hcpcs', 'A4253', 'Blood glucose test or reagent strips for home blood glucose monitor, per 50 strips'),
  doc('modifier', 'LT', 'Left side (used to identify procedures performed on the left side of the body)'),
];
const index = SearchIndex.of(docs);
const codes = (q: string, system?: SearchDoc['system']) => index.search(q, { system, limit: 3 }).map((h) => h.code);

describe('search text rules', () => {
  it('folds plurals and splits hyphenated words', () => {
    expect(['strips', 'orthoses', 'injuries', 'glasses', 'diabetes', 'pelvis'].map(stem)).toEqual(['strip', 'orthosis', 'injury', 'glass', 'diabete', 'pelvis']);
    expect(terms('Wrist-hand cock-up, of the wrist')).toEqual(['wrist', 'hand', 'wristhand', 'cock', 'up', 'cockup', 'wrist']);
  });

  it('measures small edit distances', () => {
    expect(withinEdits('orthosis', 'orthossis', 1)).toBe(true);
    expect(withinEdits('diabetis', 'diabete', 2)).toBe(true);
    expect(withinEdits('pain', 'rain', 0)).toBe(false);
    expect(withinEdits('back', 'black', 1)).toBe(true);
    expect(withinEdits('wirst', 'wrist', 1)).toBe(true);
  });
});

describe('SearchIndex', () => {
  it('ranks documents with every query word first, in any order', () => {
    expect(codes('low back pain').slice(0, 2)).toEqual(['M54.50', 'M54.51']);
    expect(codes('pain back low').slice(0, 2)).toEqual(['M54.50', 'M54.51']);
  });

  it('tolerates plurals, typos, hyphen variants and prefixes', () => {
    expect(codes('wrist hand orthoses cockup')[0]).toBe('L3908');
    expect(codes('wrist hand orthosis cock-up')[0]).toBe('L3908');
    expect(codes('wirst orthossis')[0]).toMatch(/^L390/);
    expect(codes('glucose strip')[0]).toBe('A4253');
    expect(codes('vertebro')[0]).toBe('M54.51');
  });

  it('filters by system, limits, and returns nothing for stop words only', () => {
    expect(codes('left', 'modifier')).toEqual(['LT']);
    expect(index.search('pain', { limit: 2 })).toHaveLength(2);
    expect(index.search('of the and')).toEqual([]);
  });
});
