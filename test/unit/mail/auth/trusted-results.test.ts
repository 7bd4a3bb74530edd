import { describe, expect, it } from 'vitest';
import { readHeaderFields, selectTrustedResults } from '../../../../src/mail/auth/index.ts';

/** Header stacks as they arrive in the mailbox, top line first. */
const select = (lines: string[], ids: string[]): { used: string[]; ignored: string[] } => {
  const { fields } = readHeaderFields(`${lines.join('\r\n')}\r\n\r\nbody\r\n`);
  const selection = selectTrustedResults(fields, ids);
  return { used: selection.used.map((u) => `${u.authservId}: ${u.results.map((r) => `${r.method}=${r.result}`).join(' ')}`), ignored: selection.ignored };
};

const GMAIL = ['mx.google.com'];
const OURS = ['mx.casedesk.example'];

describe('selectTrustedResults: the hop rule', () => {
  it('Gmail style: the field directly below the entry hop, under internal hops, counts', () => {
    expect(
      select(
        [
          'Delivered-To: ask@casedesk.example',
          'Received: by 2002:a05:6a10:1234:b0:4a0:1c2d:3e4f with SMTP id abc; Mon, 13 Jan 2025 02:00:01 -0800 (PST)',
          'X-Received: by 2002:a17:90a:1234 with SMTP id def',
          'Return-Path: <coder@clinic.example>',
          'Received: from mail.clinic.example (mail.clinic.example. [192.0.2.10]) by mx.google.com with ESMTPS id ghi; Mon, 13 Jan 2025 02:00:00 -0800 (PST)',
          'Received-SPF: pass (google.com: domain of coder@clinic.example designates 192.0.2.10 as permitted sender)',
          'Authentication-Results: mx.google.com; dkim=pass header.i=@clinic.example; spf=pass smtp.mailfrom=coder@clinic.example; dmarc=pass header.from=clinic.example',
          'DKIM-Signature: v=1; d=clinic.example; s=s1; b=x',
          'Received: from laptop by mail.clinic.example (Postfix); Mon, 13 Jan 2025 10:00:00 +0000',
          'From: coder@clinic.example',
        ],
        GMAIL,
      ),
    ).toEqual({ used: ['mx.google.com: dkim=pass spf=pass dmarc=pass'], ignored: [] });
  });

  it('Postfix style: the field above the trusted server’s own Received line, under the LMTP hop, counts', () => {
    expect(
      select(
        [
          'Return-Path: <coder@clinic.example>',
          'Received: from mx.casedesk.example by imap.casedesk.example with LMTP id 1; Mon, 13 Jan 2025 10:00:02 +0000',
          'Authentication-Results: mx.casedesk.example; dmarc=pass header.from=clinic.example',
          'Received: from mail.clinic.example (mail.clinic.example [192.0.2.10]) by mx.casedesk.example (Postfix) with ESMTPS id 2; Mon, 13 Jan 2025 10:00:01 +0000',
          'From: coder@clinic.example',
        ],
        OURS,
      ).used,
    ).toEqual(['mx.casedesk.example: dmarc=pass']);
  });

  it('ignores a field claiming the trusted id below an untrusted hop (written by the sender)', () => {
    expect(
      select(
        [
          'Received: from relay.attacker.example (relay.attacker.example [198.51.100.7]) by mx.casedesk.example (Postfix); Mon, 13 Jan 2025 10:00:01 +0000',
          'Received: from laptop by relay.attacker.example; Mon, 13 Jan 2025 10:00:00 +0000',
          'Authentication-Results: mx.casedesk.example; dmarc=pass header.from=clinic.example',
          'From: coder@clinic.example',
        ],
        OURS,
      ),
    ).toEqual({ used: [], ignored: ['authentication-results from mx.casedesk.example below an untrusted hop ignored'] });
  });

  it('takes only the topmost field of a trusted server: a forged one right under it does not count', () => {
    expect(
      select(
        [
          'Received: from relay.attacker.example ([198.51.100.7]) by mx.google.com with ESMTPS id 1',
          'Authentication-Results: mx.google.com; dkim=none; spf=fail smtp.mailfrom=coder@clinic.example; dmarc=fail header.from=clinic.example',
          'Authentication-Results: mx.google.com; dkim=pass header.d=clinic.example; dmarc=pass header.from=clinic.example',
          'From: coder@clinic.example',
        ],
        GMAIL,
      ),
    ).toEqual({ used: ['mx.google.com: dkim=none spf=fail dmarc=fail'], ignored: ['authentication-results from mx.google.com not the topmost one, ignored'] });
  });

  it('believes nothing when no Received line is by a trusted server (appended over IMAP, or a forged stack)', () => {
    expect(
      select(['Authentication-Results: mx.casedesk.example; dmarc=pass header.from=clinic.example', 'From: coder@clinic.example'], OURS),
    ).toEqual({ used: [], ignored: ['authentication-results from mx.casedesk.example ignored: no Received line by a trusted server'] });
    expect(
      select(
        [
          'Received: from x by imap.casedesk.example with LMTP',
          'Authentication-Results: mx.casedesk.example; dmarc=pass',
          'Received: from relay.attacker.example by mx.casedesk.example.attacker.example',
        ],
        OURS,
      ).used,
    ).toEqual([]);
  });

  it('trusts subdomain hosts of an authserv-id and a run of trusted internal relays', () => {
    expect(
      select(
        [
          'Received: from mx1.mail.example by store.mail.example with LMTP',
          'Received: from edge.mail.example by mx1.mail.example with ESMTP',
          'Authentication-Results: mail.example; dkim=pass header.d=clinic.example',
          'Received: from mail.clinic.example by edge.mail.example with ESMTPS',
          'Received: by mail.clinic.example',
          'Authentication-Results: mail.example; dkim=pass header.d=attacker.example',
        ],
        ['mail.example'],
      ),
    ).toEqual({ used: ['mail.example: dkim=pass'], ignored: ['authentication-results from mail.example below an untrusted hop ignored'] });
  });

  it('never uses a field of a server not in the list, or one without an authserv-id', () => {
    expect(
      select(
        [
          'Received: from a by mx.casedesk.example',
          'Authentication-Results: spf=pass smtp.mailfrom=clinic.example; dmarc=pass header.from=clinic.example',
          'Authentication-Results: mx.other.example; dmarc=pass header.from=clinic.example',
        ],
        OURS,
      ),
    ).toEqual({ used: [], ignored: [] });
    expect(select(['Received: from a by mx.casedesk.example', 'Authentication-Results: mx.casedesk.example; dmarc=pass'], []).used).toEqual([]);
  });
});
