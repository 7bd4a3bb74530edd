import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeliveryStatus, readBounce } from '../../../src/mail/bounce.ts';
import { parseRaw } from '../../../src/mail/parse-worker.ts';
import type { ParsedMessage } from '../../../src/mail/parsed-message.ts';
import { ordinaryMessage } from './hostile-messages.ts';

const limits = { maxBytes: 25 * 1024 * 1024, timeoutMs: 5_000, maxDepth: 50, maxParts: 500 };

/** Parse a fixture in-process (the same code the worker thread runs). */
async function fixture(name: string): Promise<ParsedMessage> {
  const result = await parseRaw(readFileSync(resolve(import.meta.dirname, '../../fixtures/mail', name)), limits);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

describe('readBounce', () => {
  it('reads an RFC 3464 bounce that returns the headers of our reply', async () => {
    const msg = await fixture('bounce-of-our-reply.eml');
    expect(readBounce(msg)).toEqual({
      returnedMessageIds: ['<cd.1042.0123456789abcdef0123@casedesk.example>'],
      status: '5.1.1',
      diagnostic: '550 5.1.1 <coder@clinic.example>: Recipient address rejected: User unknown in local recipient table',
      recipient: 'coder@clinic.example',
      action: 'failed',
    });
    const returned = msg.parts.find((p) => p.contentType === 'text/rfc822-headers');
    expect(returned?.headers?.['subject']).toEqual(['Re: Can 97760 be billed with 97530? [CD-1042]']);
  });

  it('reads a plain-text qmail bounce quoting our message', async () => {
    const report = readBounce(await fixture('qmail-bounce-of-our-reply.eml'));
    expect(report).toMatchObject({
      returnedMessageIds: ['<cd.1043.fedcba9876543210fedc@casedesk.example>'],
      status: '5.2.2',
      recipient: 'coder@clinic.example',
      action: 'failed',
    });
    expect(report?.diagnostic).toContain('Mailbox full');
  });

  it('returns null for a delay warning: the reply may still arrive, so nothing is marked bounced', async () => {
    expect(readBounce(await fixture('delayed-dsn.eml'))).toBeNull();
  });

  it('reads a DSN that mixes a delayed and a failed recipient as the failure', async () => {
    const msg = await fixture('delayed-dsn.eml');
    const dsn = msg.parts.find((p) => p.contentType === 'message/delivery-status');
    if (dsn) dsn.content += '\nFinal-Recipient: rfc822; gone@far.example\nAction: failed\nStatus: 5.1.1\n';
    expect(readBounce(msg)).toMatchObject({ returnedMessageIds: ['<cd.7.aaaa@casedesk.example>'], status: '5.1.1', recipient: 'gone@far.example', action: 'failed' });
  });

  it('returns null for a message that is not a bounce', async () => {
    const result = await parseRaw(ordinaryMessage(1), limits);
    expect(result.ok && readBounce(result.message)).toBeNull();
  });

  it('splits delivery-status groups and unfolds fields', () => {
    const groups = parseDeliveryStatus('Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550\n  no\n\nFinal-Recipient: rfc822; z@y\nAction: delayed\n');
    expect(groups).toEqual([
      { 'final-recipient': 'rfc822; x@y', status: '5.0.0', 'diagnostic-code': 'smtp; 550 no' },
      { 'final-recipient': 'rfc822; z@y', action: 'delayed' },
    ]);
  });
});
