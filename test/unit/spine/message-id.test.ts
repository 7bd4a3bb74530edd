import { describe, expect, it } from 'vitest';
import { hashMessageId, isOwnMessageId, makeMessageId, normalizeMessageId, splitMessageIds } from '../../../src/shared/message-id.ts';
import { peekMessageId } from '../../../src/ingest/store-message.ts';

describe('Message-ID helpers', () => {
  it.each([
    ['<abc@x.test>', '<abc@x.test>'],
    [' abc@x.test ', '<abc@x.test>'],
    ['<abc@x.test> (comment)', '<abc@x.test>'],
    ['', null],
    ['not an id', null],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeMessageId(input)).toBe(expected);
  });

  it('hashes case-insensitively and with or without brackets', () => {
    expect(hashMessageId('<ABC@X.test>')).toBe(hashMessageId('abc@x.test'));
    expect(hashMessageId('<a@x>')).not.toBe(hashMessageId('<b@x>'));
  });

  it('splits References headers into ids, in order', () => {
    expect(splitMessageIds('<a@x> <b@y>\r\n <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
    expect(splitMessageIds(['<a@x>', '<b@y>'])).toEqual(['<a@x>', '<b@y>']);
    expect(splitMessageIds(null)).toEqual([]);
  });

  it('makes deterministic ids on our domain, different per dedupe key', () => {
    const a = makeMessageId('draft:1', 'casedesk.example', 7);
    expect(a).toBe(makeMessageId('draft:1', 'casedesk.example', 7));
    expect(a).not.toBe(makeMessageId('draft:2', 'casedesk.example', 7));
    expect(a).toMatch(/^<cd\.7\.[0-9a-f]{20}@casedesk\.example>$/);
    expect(isOwnMessageId(a, ['casedesk.example'])).toBe(true);
    expect(isOwnMessageId('<x@elsewhere.test>', ['casedesk.example'])).toBe(false);
    // A coder writing from the service's own domain is not our mail coming back.
    expect(isOwnMessageId('<CAF1234.abc@casedesk.example>', ['casedesk.example'])).toBe(false);
  });

  it('peeks the Message-ID of a raw message, folded or not', () => {
    expect(peekMessageId(Buffer.from('From: a@b\r\nMessage-ID:\r\n <q1@coder.test>\r\nSubject: x\r\n\r\nbody <z@z>'))).toBe('<q1@coder.test>');
    expect(peekMessageId(Buffer.from('From: a@b\n\nMessage-ID: <in-body@x>'))).toBeNull();
  });
});
