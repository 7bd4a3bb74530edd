import { describe, expect, it } from 'vitest';
import { hashMessageId, isOwnMessageId, makeMessageId, messageIdTagKey, normalizeMessageId, splitMessageIds, verifyOwnMessageId } from '../../../src/shared/message-id.ts';
import { parseConfig } from '../../../config/index.ts';
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

  it('tags our ids with an HMAC: deterministic, verifiable, unforgeable without the key', () => {
    const key = messageIdTagKey(Buffer.alloc(32, 7));
    const other = messageIdTagKey(Buffer.alloc(32, 8));
    const id = makeMessageId('draft:1', 'casedesk.example', 7, key);
    expect(id).toBe(makeMessageId('draft:1', 'casedesk.example', 7, key));
    expect(id).toMatch(/^<cd\.7\.[0-9a-f]{20}\.[0-9a-f]{20}@casedesk\.example>$/);
    // The untagged part is the id issued before tags: same key hash.
    expect(id.replace(/\.[0-9a-f]{20}@/, '@')).toBe(makeMessageId('draft:1', 'casedesk.example', 7));
    expect(isOwnMessageId(id, ['casedesk.example'])).toBe(true);
    expect(verifyOwnMessageId(id, [key])).toBe('tagged');
    expect(verifyOwnMessageId(id.toUpperCase(), [key])).toBe('tagged');
    expect(verifyOwnMessageId(id, [other, key])).toBe('tagged');
    expect(verifyOwnMessageId(id, [other])).toBe('forged');
    // The tag binds case, key hash and domain: moving it to another id does not verify.
    const tag = /\.([0-9a-f]{20})@/.exec(id)![1];
    const moved = makeMessageId('draft:2', 'casedesk.example', 7).replace('@', `.${tag}@`);
    expect(verifyOwnMessageId(moved, [key])).toBe('forged');
    expect(verifyOwnMessageId(id.replace('@casedesk.example', '@elsewhere.example'), [key])).toBe('forged');
    expect(verifyOwnMessageId(makeMessageId('draft:1', 'casedesk.example', 7), [key])).toBe('untagged');
    expect(verifyOwnMessageId('<CAF1234.abc@casedesk.example>', [key])).toBe('not-ours');
    expect(verifyOwnMessageId(null, [key])).toBe('not-ours');
  });

  it('derives the tag keys from the master key (DATA_KEY, DATA_KEY_NEW), with a fixed development key without one', () => {
    const k1 = Buffer.alloc(32, 1).toString('base64');
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const keyed = parseConfig({ DATA_KEY: k1 }).messageIdKeys();
    expect(keyed).toHaveLength(1);
    expect(keyed[0].equals(messageIdTagKey(Buffer.from(k1, 'base64')))).toBe(true);
    expect(keyed[0].equals(Buffer.from(k1, 'base64'))).toBe(false); // derived, never the master key itself
    const rotating = parseConfig({ DATA_KEY: k1, DATA_KEY_NEW: k2 }).messageIdKeys();
    expect(rotating.map((k) => k.toString('hex'))).toEqual([keyed[0].toString('hex'), messageIdTagKey(Buffer.from(k2, 'base64')).toString('hex')]);
    const dev = parseConfig({}).messageIdKeys();
    expect(dev).toHaveLength(1);
    expect(dev[0].equals(parseConfig({}).messageIdKeys()[0])).toBe(true); // every process agrees
    expect(dev[0].equals(keyed[0])).toBe(false);
    expect(() => parseConfig({ DATA_KEY_FILE: '/nonexistent/casedesk-key' }).messageIdKeys()).toThrow(/DATA_KEY_FILE/);
  });

  it('peeks the Message-ID of a raw message, folded or not', () => {
    expect(peekMessageId(Buffer.from('From: a@b\r\nMessage-ID:\r\n <q1@coder.test>\r\nSubject: x\r\n\r\nbody <z@z>'))).toBe('<q1@coder.test>');
    expect(peekMessageId(Buffer.from('From: a@b\n\nMessage-ID: <in-body@x>'))).toBeNull();
  });
});
