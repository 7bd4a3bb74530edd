import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { Outbox } from '../../../src/cases/outbox.entity.ts';
import { monthlyUsage } from '../../../src/cases/quota.ts';
import { Draft } from '../../../src/drafts/draft.entity.ts';
import { InboundMessage } from '../../../src/ingest/ingest.entity.ts';
import { addUser } from '../../../src/review/users.ts';
import { addSubscriber } from '../../../src/subscribers/subscribers.ts';
import { bootCaseDesk, rawMessage, type BootedCaseDesk } from '../../support/casedesk.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { rsaKey, sign, tableResolver } from '../../support/dns-table.ts';
import { createTestMailbox, deleteMailbox, deliverViaLmtpInto, waitFor } from '../../support/imap.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.ts';
import { logIn } from '../../support/web-session.ts';

describe.each(TEST_DRIVERS)('SENDER_AUTH=enforce on %s: forged mail uses no quota and gets no mail; genuine mail flows', (driver) => {
  let smtp: SmtpReceiver;
  let cd: BootedCaseDesk;
  let mailbox: string;
  const clinicKey = rsaKey();
  // DNS from a table (no network): the clinic's DKIM key and both domains' DMARC policy.
  const resolver = tableResolver({
    'TXT s1._domainkey.clinic.test': [[clinicKey.record]],
    'TXT _dmarc.clinic.test': [['v=DMARC1; p=reject']],
    'TXT _dmarc.innocent.test': [['v=DMARC1; p=reject']],
  });

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    mailbox = await createTestMailbox('auth');
    cd = await bootCaseDesk({ driver, mailbox, smtpPort: smtp.port, dnsResolver: resolver, env: { SENDER_AUTH: 'enforce', AUTHSERV_IDS: 'mx.casedesk.test' } });
    await addSubscriber(cd.app.orm.em.fork(), 'pat@clinic.test', 'standard', cd.config.env.PLANS);
  });
  afterAll(async () => {
    await cd?.teardown();
    await smtp?.close();
    await deleteMailbox(mailbox);
  });

  const em = () => cd.app.orm.em.fork();
  const question = (id: string, from: string, top: Record<string, string> = {}) =>
    rawMessage({ ...top, From: from, To: 'answers@casedesk.test', Subject: `Question ${id}`, 'Message-ID': `<${id}-${driver}@clinic.test>`, Date: 'Mon, 13 Jan 2025 10:00:00 +0000' }, 'Can 97530 be billed with 97140 on the same day?');
  /** Deliver through Dovecot's LMTP (which adds its own Received line on top), then wait until the message is filed. */
  const deliver = async (id: string, raw: string | Buffer) => {
    await deliverViaLmtpInto(mailbox, `<${id}-${driver}@clinic.test>`, raw);
    const cm = await waitFor(async () => em().findOne(CaseMessage, { messageId: `<${id}-${driver}@clinic.test>` }), { timeoutMs: 30_000, what: `${id} filed` });
    return { cm, caseRow: await em().findOneOrFail(Case, { id: cm.caseId }) };
  };
  const usage = async () => monthlyUsage(em(), (await em().findOneOrFail(Case, { requesterEmail: 'pat@clinic.test', subscriberId: { $ne: null } }, { orderBy: { id: 'asc' } })).subscriberId!, new Date());

  it('holds a spoofed subscriber message, lets signed and trusted-header mail through, holds an untrusted header, sends no backscatter, and a release counts', async () => {
    // 1. Forged: the subscriber's address, no signature, at a domain with p=reject → held.
    const spoofed = await deliver('spoofed', question('spoofed', 'Pat Coder <pat@clinic.test>'));
    expect(spoofed.cm.senderVerdict).toBe('unverified');
    expect(spoofed.caseRow).toMatchObject({ state: 'held', holdReason: 'unverified sender', subscriberId: null, unverifiedSender: true });
    expect(spoofed.cm.wantsDraft).toBe(false);

    // 2. Genuine, DKIM-signed by the clinic with a key published in (table) DNS → verified, counted, drafted, acknowledged.
    const signed = await deliver('signed', await sign(question('signed', 'Pat Coder <pat@clinic.test>'), clinicKey, { domain: 'clinic.test', selector: 's1', signTime: new Date(Date.now() - 60_000) }));
    expect(signed.cm.senderVerdict, JSON.stringify(signed.cm.senderReasons)).toBe('verified');
    expect(signed.caseRow).toMatchObject({ state: 'open', unverifiedSender: false });
    expect(signed.caseRow.subscriberId).not.toBeNull();

    // 3. Unsigned, but our receiving server (AUTHSERV_IDS) recorded dmarc=pass on top → verified.
    // Header fields are written top-down: our server's results on top of its own Received line.
    const hops = (sender: string) => `from ${sender} (${sender} [192.0.2.10]) by mx.casedesk.test with ESMTPS id 4Xk1; Mon, 13 Jan 2025 10:00:01 +0000`;
    const trusted = await deliver('trusted', question('trusted', 'pat@clinic.test', {
      'Authentication-Results': 'mx.casedesk.test; dmarc=pass header.from=clinic.test',
      Received: `${hops('mail.clinic.test')}\r\nReceived: from laptop by mail.clinic.test with ESMTPSA id 9z; Mon, 13 Jan 2025 10:00:00 +0000`,
    }));
    expect(trusted.cm.senderVerdict, JSON.stringify(trusted.cm.senderReasons)).toBe('verified');
    // Dovecot's delivery hop sits on top of our server's (the receiving side's own hops count as trusted).
    const stored = await em().findOneOrFail(InboundMessage, { messageId: `<trusted-${driver}@clinic.test>` }, { populate: ['raw'] });
    expect(stored.raw!.toString('utf8')).toMatch(/^Return-Path: [^\n]*\n(?:Delivered-To: [^\n]*\n)?Received: [\s\S]*?with LMTP[\s\S]*?\nAuthentication-Results: mx\.casedesk\.test/);
    expect(trusted.caseRow.state).toBe('open');

    // 4. The same claim forged by the sender (below the first untrusted hop) is ignored, and so is one
    //    from a server we do not trust: own check, no signature, p=reject → held.
    const untrusted = await deliver('untrusted', question('untrusted', 'pat@clinic.test', {
      'Authentication-Results': 'mx.attacker.test; dmarc=pass header.from=clinic.test',
      Received: `${hops('mail.attacker.test')}\r\nReceived: from laptop by mail.attacker.test with ESMTPSA id 7q; Mon, 13 Jan 2025 10:00:00 +0000\r\nAuthentication-Results: mx.casedesk.test; dmarc=pass header.from=clinic.test`,
    }));
    expect(untrusted.cm.senderVerdict).toBe('unverified');
    expect(untrusted.caseRow.state).toBe('held');

    // 5. A forged stranger: recorded and closed, and no not-subscribed notice to the innocent owner of the address.
    const stranger = await deliver('stranger', question('stranger', 'someone@innocent.test'));
    expect(stranger.cm.senderVerdict).toBe('unverified');
    expect(stranger.caseRow.state).toBe('closed');

    // Both verified questions are drafted and acknowledged (every new case of a verified subscriber); nothing else.
    await waitFor(async () => (await em().count(Draft, {})) === 2, { timeoutMs: 30_000, what: 'two drafts' });
    const acks = await smtp.waitForMessages(2, 30_000);
    expect(acks.map((m) => m.envelope.rcptTo.map((r) => r.address).join())).toEqual(['pat@clinic.test', 'pat@clinic.test']);
    expect(acks.map((m) => m.parsed?.text ?? '').join()).toContain(`CD-${signed.caseRow.id}`);
    expect(acks.map((m) => m.parsed?.text ?? '').join()).toContain(`CD-${trusted.caseRow.id}`);
    expect(await em().count(Outbox, {})).toBe(2);
    expect(await em().count(Outbox, { caseId: { $in: [spoofed.caseRow.id, untrusted.caseRow.id, stranger.caseRow.id] } })).toBe(0);
    expect(await usage()).toBe(2);
    expect(await em().count(InboundMessage, { state: 'parsed' })).toBe(5);

    // A consultant releases the forged-looking one (it was genuine after all): counted, drafted, no notice.
    await addUser(em(), { email: 'consultant@casedesk.test', role: 'consultant', password: 'auth-password-123' });
    const { cookie, csrf: csrfToken } = await logIn(cd.app.url!, 'consultant@casedesk.test', 'auth-password-123');
    const queuePage = await (await fetch(`${cd.app.url}/queue`, { headers: { cookie } })).text();
    expect(queuePage).toContain('Held: unverified sender');
    expect(queuePage).toContain(`CD-${spoofed.caseRow.id}`);
    const released = await fetch(`${cd.app.url}/api/cases/${spoofed.caseRow.id}/release`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: '{}' });
    expect(released.status).toBe(200);
    expect(await released.json()).toMatchObject({ caseId: spoofed.caseRow.id, caseMessageIds: [spoofed.cm.id], overQuota: false, already: false });
    await waitFor(async () => em().findOne(Draft, { caseMessageId: spoofed.cm.id }), { timeoutMs: 30_000, what: 'the released case drafted' });
    expect(await em().findOneOrFail(Case, { id: spoofed.caseRow.id })).toMatchObject({ state: 'open', holdReason: null });
    expect(await usage()).toBe(3);
    expect(await em().count(Outbox, {})).toBe(2);
    expect(smtp.messages).toHaveLength(2);
    // Nothing outside the DNS table was asked.
    expect(resolver.unknown).toEqual([]);
  });
});
