/**
 * Time the parse and draft stages in-process on generated questions (no IMAP, no Redis):
 *   npx tsx scripts/profile-stages.ts [n]
 * A developer tool for finding where pipeline time goes; `npm run bench` is the benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/orm.ts';
import { createComposer } from '../src/drafts/compose.ts';
import { draftReply } from '../src/drafts/draft-stage.ts';
import { createReplyRenderer } from '../src/drafts/render.ts';
import { InboundMessage } from '../src/ingest/ingest.entity.ts';
import { readBounce } from '../src/mail/bounce.ts';
import { classifyMessage } from '../src/mail/classify.ts';
import { makeMessageId } from '../src/shared/message-id.ts';
import { extractNewText } from '../src/mail/new-text.ts';
import { fileInbound } from '../src/cases/file-inbound.ts';
import { ParsePool } from '../src/mail/safe-parse.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { rawMessage } from '../test/support/casedesk.ts';

const n = Number(process.argv[2] ?? 200);
const orm = await openDatabase({ driver: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'cd-prof-')), 'p.sqlite') });
const em = orm.em.fork();
for (let i = 0; i < n; i++) {
  const raw = Buffer.from(rawMessage({ From: `c${i}@x.test`, To: 'a@casedesk.test', Subject: `q ${i} 99213 and 97110`, 'Message-ID': `<p${i}@x.test>` }, `Can 99213-25 be billed with 97110 x3 for DOS 01/15/2025? Dx M54.50.\n\n> old 99999\n-- \nsig 555-123-4567`));
  em.create(InboundMessage, { mailbox: 'INBOX', uidValidity: 1, uid: i + 1, contentHash: createHash('sha256').update(raw).digest('hex'), size: raw.length, raw });
}
await em.flush();
const limits = { maxBytes: 25e6, timeoutMs: 20000, maxDepth: 50, maxParts: 500 };
const renderer = createReplyRenderer();
const compose = createComposer({ renderer, signatureName: 'CaseDesk' });
const ctx = { ownDomains: ['casedesk.test'], ownAddresses: ['a@casedesk.test'] };
let t = performance.now();
const cms: number[] = [];
const pool = new ParsePool();
await pool.parse(Buffer.from('Subject: warm\r\n\r\nx'), limits);
t = performance.now();
for (let i = 1; i <= n; i++) {
  const r = await fileInbound({ em: orm.em.fork(), log: silentLogger, parse: (raw) => pool.parse(raw, limits), classify: (m) => classifyMessage(m, ctx), readBounce, newText: extractNewText, ownDomain: 'casedesk.test', dueHours: 24, makeMessageId: (k, c) => makeMessageId(k, 'casedesk.test', c) }, { inboundId: i });
  if (r.outcome === 'case-message') cms.push(r.caseMessageId);
}
const parseMs = performance.now() - t;
t = performance.now();
for (const id of cms) await draftReply({ em: orm.em.fork(), log: silentLogger, compose }, { caseMessageId: id });
const draftMs = performance.now() - t;
process.stdout.write(`parse: ${(parseMs / n).toFixed(2)} ms/message (sequential)\ndraft: ${(draftMs / cms.length).toFixed(2)} ms/message (sequential)\n`);
await pool.close();
await orm.close(true);
