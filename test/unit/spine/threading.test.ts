import { describe, expect, it } from 'vitest';
import { caseTagsInSubject, resolveThread, type ThreadLookups } from '../../../src/cases/threading.ts';

const known: Record<string, number> = { '<ours-1@casedesk.test>': 10, '<q-1@coder.test>': 10, '<other@casedesk.test>': 11 };
const requesters: Record<number, string> = { 10: 'coder@clinic.test', 11: 'someone@else.test', 42: 'coder@clinic.test' };
const lookups: ThreadLookups = {
  caseByMessageId: async (id) => known[id] ?? null,
  caseRequester: async (id) => requesters[id] ?? null,
};
const base = { inReplyTo: null, references: [], subject: 'Question', fromAddress: 'coder@clinic.test' };

describe('threading', () => {
  it('reads case tags from subjects', () => {
    expect(caseTagsInSubject('Re: 97110 units [CD-42]')).toEqual([42]);
    expect(caseTagsInSubject('Fwd: [cd-7] and [CD- 8 ]')).toEqual([7, 8]);
    expect(caseTagsInSubject('CD-42 without brackets')).toEqual([]);
  });

  it.each([
    ['In-Reply-To of our reply', { inReplyTo: '<ours-1@casedesk.test>' }, { kind: 'existing', caseId: 10, by: 'in-reply-to' }],
    ['References, newest first', { references: ['<q-1@coder.test>', '<other@casedesk.test>'] }, { kind: 'existing', caseId: 11, by: 'references' }],
    ['unknown In-Reply-To falls through to References', { inReplyTo: '<nope@x>', references: ['<q-1@coder.test>'] }, { kind: 'existing', caseId: 10, by: 'references' }],
    ['subject tag from the requester', { subject: 'Re: more [CD-42]' }, { kind: 'existing', caseId: 42, by: 'subject-tag' }],
    ['subject tag from a stranger opens a new case', { subject: 'Re: [CD-42]', fromAddress: 'intruder@evil.test' }, { kind: 'new' }],
    ['subject tag of a missing case', { subject: 'Re: [CD-999]' }, { kind: 'new' }],
    ['nothing matches', {}, { kind: 'new' }],
  ])('%s', async (_name, input, expected) => {
    expect(await resolveThread({ ...base, ...input }, lookups)).toEqual(expected);
  });
});
