import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAttachment } from '../../../src/attachments/access.ts';
import { Attachment } from '../../../src/attachments/attachment.entity.ts';
import { scanWithClamd } from '../../../src/attachments/clamd-client.ts';
import { describeAttachments } from '../../../src/attachments/describe.ts';
import { recordAttachments } from '../../../src/attachments/record.ts';
import { TextExtractor } from '../../../src/attachments/text-extractor.ts';
import { DEFAULT_ATTACHMENT_LIMITS } from '../../../src/attachments/limits.ts';
import { Case, CaseMessage } from '../../../src/cases/case.entity.ts';
import { scanAttachments } from '../../../src/cases/scan-attachments.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { hashMessageId } from '../../../src/shared/message-id.ts';
import { createTestDatabase, TEST_DRIVERS, type TestDatabase } from '../../support/db.ts';
import { testClamdAddress } from './clamd-settings.ts';

/** A TCP port nothing listens on: clamd "down", as the real client meets it (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe.each(TEST_DRIVERS)('scan stage on %s: clamd down, then up', (driver) => {
  let t: TestDatabase;
  const extractor = new TextExtractor();
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await extractor.close();
    await t?.drop();
  });

  it('leaves attachments not scanned (refused) while clamd is down, and scans and reads them once it answers; a repeat changes nothing', async () => {
    const em = t.orm.em.fork();
    const caseRow = em.create(Case, { subject: 'Lines', requesterEmail: 'pat@clinic.test' });
    await em.flush();
    const id = `<scan-${randomUUID()}@clinic.test>`;
    const message = em.create(CaseMessage, { caseId: caseRow.id, direction: 'in', messageId: id, messageIdHash: hashMessageId(id), fromAddress: 'pat@clinic.test', subject: 'Lines', textNew: 'see csv', textFull: 'see csv', wantsDraft: true });
    await em.flush();
    const described = await describeAttachments([{ filename: 'lines.csv', contentType: 'text/csv', content: Buffer.from('code,units\n97110,3\n97140,1\n') }], { maxBytes: DEFAULT_ATTACHMENT_LIMITS.maxBytes });
    expect(await recordAttachments(em, { caseId: caseRow.id, caseMessageId: message.id, attachments: described })).toBe(1);

    const readText = (bytes: Uint8Array, kind: Attachment['kind']) => extractor.extract(bytes, kind, DEFAULT_ATTACHMENT_LIMITS);
    const down = { address: { kind: 'tcp' as const, host: '127.0.0.1', port: await closedPort() }, timeoutMs: 5_000 };
    const first = await scanAttachments({ em: t.orm.em.fork(), log: silentLogger, scan: (b) => scanWithClamd(b, down), readText }, { caseMessageId: message.id });
    expect(first).toMatchObject({ outcome: 'scanned', notScanned: 1, clean: 0, wantsDraft: true });
    const waiting = await t.orm.em.fork().findOneOrFail(Attachment, { caseMessageId: message.id });
    expect(waiting).toMatchObject({ state: 'not-scanned', scanAttempts: 1, textStatus: 'pending' });
    expect(waiting.reason).toMatch(/not reachable/);
    await expect(openAttachment(t.orm.em.fork(), waiting.id)).rejects.toThrow(/not been scanned/);

    const up = { address: testClamdAddress(), timeoutMs: 30_000 };
    const second = await scanAttachments({ em: t.orm.em.fork(), log: silentLogger, scan: (b) => scanWithClamd(b, up), readText }, { caseMessageId: message.id });
    expect(second).toMatchObject({ outcome: 'scanned', clean: 1, notScanned: 0 });
    const clean = await t.orm.em.fork().findOneOrFail(Attachment, { caseMessageId: message.id }, { populate: ['text'] });
    expect(clean).toMatchObject({ state: 'clean', scanAttempts: 2, textStatus: 'text', reason: null });
    expect(clean.text).toContain('97110,3');
    const opened = await openAttachment(t.orm.em.fork(), clean.id);
    expect(opened.decision.mode).toBe('download');
    expect(opened.content.toString()).toContain('97140');

    const third = await scanAttachments({ em: t.orm.em.fork(), log: silentLogger, scan: () => Promise.reject(new Error('must not scan again')), readText }, { caseMessageId: message.id });
    expect(third).toMatchObject({ outcome: 'scanned', clean: 0, infected: 0, notScanned: 0 });
  });
});
