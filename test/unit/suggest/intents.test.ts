import { describe, expect, it } from 'vitest';
import { extractCodes } from '../../../src/codes/extract/index.ts';
import { detectIntents } from '../../../src/drafts/suggest/intents.ts';
import { canonicalWord, normalizeWords, withinOneEdit } from '../../../src/drafts/suggest/normalize-words.ts';
import type { Intent } from '../../../src/drafts/suggest/types.ts';

const intentsOf = (body: string, subject = ''): Intent[] => detectIntents({ subject, text: body, extraction: extractCodes({ subject, body }) }).intents;

describe('detectIntents: the wording the issue names', () => {
  const table: [string, Intent[]][] = [
    // ncci-pair
    ['Are 97530 and 97140 bundled?', ['ncci-pair']],
    ['can 97140 be billed together with 97530', ['ncci-pair']],
    ['97140 and 97530 on the same DOS - ok?', ['ncci-pair']],
    ['Is 36416 separately reportable with 36415?', ['ncci-pair']],
    ['Doc wants to bill the US guidance 76942 separately from 20611.', ['ncci-pair']],
    ['Is there a CCI edit for G0283 and 97014?', ['ncci-pair']],
    ['We got a CO-97 on 97140 billed with 97161.', ['ncci-pair']],
    ['Can both 99214 and 99213 be paid on the same day?', ['ncci-pair']],
    ['Is 20610 bundled into the office visit?', ['ncci-pair']],
    ['Is 97140 payable when 97530 is also billed?', ['ncci-pair']],
    ['97140 and 97530 - any conflict?', ['ncci-pair']],
    ['Does 97530 include 97140?', ['ncci-pair']],
    ['B12 injection (96372) given with a flu vaccine admin 90471 - will the 96372 get denied?', ['ncci-pair']],
    // units
    ['J1885 x8 - ok?', ['units']],
    ['we gave eight units of J1885, is that the max?', ['units']],
    ['How many units of 97110 per day?', ['units']],
    ['What is the MUE for 97110?', ['units']],
    ['Billed 97035 x 3 on 01/12/2026 dos.', ['units']],
    ['How much J1885 can we bill?', ['units']],
    // validity
    ['Is S30.1XXA still good for 2026?', ['validity']],
    ['Is J1030 deleted?', ['validity']],
    ['Is A9615 effective yet?', ['validity']],
    ['Can I use G35.A for a date of service 09/15/2025?', ['validity']],
    ['Is K0001 an active code?', ['validity']],
    // billable
    ['Is M54.5 specific enough to bill?', ['billable']],
    ['Does S52.501 need a 7th character?', ['billable']],
    ['is E66.8 billable as is?', ['billable']],
    ['Does R05 need more digits?', ['billable']],
    ['M75.1 rejected on the claim, what now?', ['billable']],
    ['Can M54.5 be billed as a primary dx?', ['billable']],
    ['does T14.90 need an extension?', ['billable']],
    ['Is Z59.86 complete enough to bill?', ['billable']],
    // descriptor
    ['What is L3908?', ['descriptor']],
    ['What does G2211 mean exactly?', ['descriptor']],
    ['what\'s M17.11?', ['descriptor']],
    ['Can you tell me what M62.830 is?', ['descriptor']],
    ['Is G0442 still active, and what does it cover?', ['validity', 'descriptor']],
    ['G2211 - what is it?', ['descriptor']],
    ['b35.1 - what is this dx?', ['descriptor']],
    // modifier
    ['Is RT required on L3908? We dispensed L3908-RT.', ['modifier']],
    ['What does the GA modifier mean?', ['modifier']],
    ['Should 97110 and 97140 both have the GP modifier?', ['modifier']],
    ['We billed 97140-59 with 97530, right code for the 59?', ['ncci-pair', 'modifier']],
    ['Which modifier do I need to bill 97140 with 97530?', ['ncci-pair', 'modifier']],
    // code-for-words
    ["What's the ICD-10 code for type 2 diabetes with hyperglycemia?", ['code-for-words']],
    ['how do I code essential hypertension?', ['code-for-words']],
    ['What is the HCPCS for a prefabricated canvas knee immobilizer?', ['code-for-words']],
    ['What HCPCS code is used for forearm crutches?', ['code-for-words']],
    ['Is there a HCPCS code for a knee scooter?', ['code-for-words']],
    ['Need a dx code for chronic fatigue', ['code-for-words']],
    ['trigger thumb right - which icd 10?', ['code-for-words']],
    ['What HCPCS do we bill for ropivacaine injection?', ['code-for-words']],
    // other
    ['Does Medicare cover acupuncture for chronic low back pain?', ['other']],
    ['Thank you, that answers it!', ['other']],
    ["What's the timely filing limit for BCBS of Texas?", ['other']],
    ['Does Medicare cover 97110 and 97140 for maintenance therapy?', ['other']],
  ];
  it.each(table)('%s', (text, expected) => {
    expect(intentsOf(text).sort()).toEqual([...expected].sort());
  });
});

describe('detectIntents: typos', () => {
  const table: [string, Intent[]][] = [
    ['are 97140 and 97530 bundeled?', ['ncci-pair']],
    ['is 36416 seperately billable from 36415', ['ncci-pair']],
    ['can 97140 and 97530 be billed togehter', ['ncci-pair']],
    ['how many untis of 97110?', ['units']],
    ['is M54.5 billible?', ['billable']],
    ['does S52.501 need a 7th charachter', ['billable']],
    ['which modifer goes on 97140 with 97530', ['ncci-pair', 'modifier']],
    ['whats G0444? dos 1/12/2026', ['descriptor']],
    ['is S30.1XXA still vaild', ['validity']],
  ];
  it.each(table)('%s', (text, expected) => {
    expect(intentsOf(text).sort()).toEqual([...expected].sort());
  });
});

describe('detectIntents: words that must not trigger', () => {
  it('"separately billable" is a pair question, not a billable one', () => {
    expect(intentsOf('Are 45385 and 45380 separately billable?')).toEqual(['ncci-pair']);
  });
  it('"billable together" is a pair question', () => {
    expect(intentsOf('are 99212 and 20610 billable together?')).toEqual(['ncci-pair']);
  });
  it('"same day" with one procedure and no visit is not a pair question', () => {
    expect(intentsOf('How many times can 96372 be billed on the same day?')).toEqual(['units']);
  });
  it('"unit description" asks for the descriptor, not a unit limit', () => {
    expect(intentsOf("what's the unit description on J1950 (per 3.75 mg?)")).toEqual(['descriptor']);
  });
  it('"in one session" is not a count of units', () => {
    expect(intentsOf('we do 97116 and 97530 in one session. Is there a CCI edit?')).toEqual(['ncci-pair']);
  });
  it('a code in the subject and a question in the body read together', () => {
    expect(detectIntents({ subject: 'RE: 97140 and 97530', text: 'bundled?', extraction: extractCodes({ subject: 'RE: 97140 and 97530', body: 'bundled?' }) }).intents).toEqual(['ncci-pair']);
  });
  it('a subject ending a sentence does not run into the body ("EGD codes" / "for an EGD …")', () => {
    const subject = 'EGD codes';
    const body = 'For an EGD with biopsy 43239, can 43235 also be billed same session?';
    expect(detectIntents({ subject, text: body, extraction: extractCodes({ subject, body }) }).intents).toEqual(['ncci-pair']);
  });
});

describe('detectIntents: code-for-words words', () => {
  const table: [string, string, string | null][] = [
    ["What's the ICD-10 code for type 2 diabetes with hyperglycemia? DOS 01/15/2026", 'type 2 diabetes with hyperglycemia', 'icd10cm'],
    ['Which HCPCS code should we use for a prefabricated wrist hand orthosis?', 'prefabricated wrist hand orthosis', 'hcpcs'],
    ['Which code do we use for administration of the influenza vaccine for Medicare?', 'administration of the influenza vaccine', null],
    ['how do I code essential hypertension? thanks', 'essential hypertension', null],
  ];
  it.each(table)('%s', (text, words, system) => {
    const r = detectIntents({ subject: '', text, extraction: extractCodes({ subject: '', body: text }) });
    expect(r.lookingFor).toEqual({ words, system });
  });
  it('a code "for 2026" is not a description', () => {
    const text = 'is G0283 still a good code for 2026?';
    expect(detectIntents({ subject: '', text, extraction: extractCodes({ subject: '', body: text }) })).toEqual({ intents: ['validity'], lookingFor: null });
  });
});

describe('normalize-words', () => {
  it.each([
    ['bundle', 'bundel', true], ['separately', 'seperately', true], ['together', 'togther', true], ['units', 'untis', true],
    ['header', 'reader', true], ['valid', 'vapid', true], ['billable', 'billed', false], ['modifier', 'modified', true],
  ])('withinOneEdit(%s, %s) = %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
  });
  it('fixes typos of keywords, keeps real words that are one edit away', () => {
    expect(canonicalWord('bundeled')).toBe('bundled');
    expect(canonicalWord('seperately')).toBe('separately');
    expect(canonicalWord('specfic')).toBe('specific');
    expect(canonicalWord('reader')).toBe('reader'); // first letter differs from "header"
    expect(canonicalWord('modified')).toBe('modified'); // a real word
    expect(canonicalWord('united')).toBe('united');
  });
  it('lower-cases and keeps punctuation and codes', () => {
    expect(normalizeWords('Is 97110 BUNDELED with 97140?')).toBe('is 97110 bundled with 97140?');
  });
});
