import { describe, expect, it } from 'vitest';
import { answerKeys, backfillAnswerKeyRows, codeSets } from '../../../src/drafts/answer-key.entity.ts';

/** The related-cases rule, as src/drafts/related.ts stated it before the index: the same code set, or two procedure codes in common. */
function cites(a: string[], b: string[]): boolean {
  const x = codeSets(a);
  const y = codeSets(b);
  if (x.all.size > 0 && x.all.size === y.all.size && [...x.all].every((c) => y.all.has(c))) return true;
  return x.procedures.filter((c) => y.procedures.includes(c)).length >= 2;
}

const POOL = ['97110', '97140', '97530', 'J1885', '0591T', 'M54.50', 'Z23', 'E11.9', '59', '25'];

describe('answer match keys', () => {
  it('two code lists share a key exactly when one cites the other (every pair of 300 random lists)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lists = Array.from({ length: 300 }, () => POOL.filter(() => rand() < 0.3));
    let matches = 0;
    for (const a of lists) {
      const ka = new Set(answerKeys(a));
      for (const b of lists) {
        const share = answerKeys(b).some((k) => ka.has(k));
        expect(share, `${a.join(',')} / ${b.join(',')}`).toBe(cites(a, b));
        if (share) matches += 1;
      }
    }
    expect(matches).toBeGreaterThan(3000); // the check compared real matches, not only misses
  });

  it('ignores modifiers, case and order, and reads the five lists like a flat list', () => {
    expect(answerKeys(['97530', '97140', '59'])).toEqual(answerKeys({ cpt: ['97140 ', '97530'], modifiers: ['25'] }));
    expect(answerKeys(['m54.50', '97110'])).toEqual(answerKeys({ icd10cm: ['M54.50'], cpt: ['97110'] }));
    expect(answerKeys([])).toEqual([]);
    expect(answerKeys({ modifiers: ['59'] })).toEqual([]);
  });

  it('backfills the keys of each approved answer under its id, skipping rows it cannot read', () => {
    const rows = backfillAnswerKeyRows([
      { id: 1, codes: JSON.stringify({ cpt: ['97140', '97530'] }) },
      { id: 'x', codes: { cpt: ['97110', '97140'] } },
      { id: '2', codes: ['97110', '25'] },
      { id: 3, codes: null },
    ]);
    expect(rows).toEqual([
      { draft_id: 1, match_key: 'pair:97140+97530' }, { draft_id: 1, match_key: answerKeys(['97140', '97530']).at(-1) },
      { draft_id: 2, match_key: answerKeys(['97110']).at(-1) },
    ]);
    expect(rows[1].match_key).toMatch(/^set:[0-9a-f]{64}$/);
  });
});
