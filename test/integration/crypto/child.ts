/**
 * A second process for the concurrency tests: `node --import tsx child.ts '<json>'`.
 *   { op: 'rotate', target, from: [base64…], to: base64, batchSize }  → keys rotate
 *   { op: 'append', target, n, actor }                               → n audit appends
 *   { op: 'open-keyring', target, key: base64, text }                → open a keyring, seal `text`
 * Prints one JSON line with the result.
 */
import { appendAudit } from '../../../src/audit/audit-chain-store.ts';
import { OrmDataKeyStore } from '../../../src/crypto/data-key-store.ts';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { parseMasterKey } from '../../../src/crypto/master-key.ts';
import { rotateMasterKey } from '../../../src/crypto/rotate.ts';
import { openOrm, type Target } from './support.ts';

type Job =
  | { op: 'rotate'; target: Target; from: string[]; to: string; batchSize: number }
  | { op: 'append'; target: Target; n: number; actor: string }
  | { op: 'open-keyring'; target: Target; key: string; text: string };

const job = JSON.parse(process.argv[2]) as Job;
const orm = await openOrm(job.target);
try {
  if (job.op === 'rotate') {
    const result = await rotateMasterKey({
      store: new OrmDataKeyStore(orm.em),
      from: job.from.map((k) => parseMasterKey(k, 'DATA_KEY')),
      to: parseMasterKey(job.to, 'DATA_KEY_NEW'),
      batchSize: job.batchSize,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (job.op === 'open-keyring') {
    const ring = await Keyring.open({ store: new OrmDataKeyStore(orm.em), masterKeys: [parseMasterKey(job.key, 'DATA_KEY')] });
    process.stdout.write(`${JSON.stringify({ activeKeyId: ring.activeKey().id, sealed: ring.sealText(job.text, 'secret_note.body') })}\n`);
  } else {
    const seqs: number[] = [];
    for (let i = 0; i < job.n; i += 1) {
      const e = await appendAudit(orm.em.fork(), { actor: job.actor, action: 'case.view', caseId: i, details: { i } });
      seqs.push(e.seq);
    }
    process.stdout.write(`${JSON.stringify({ seqs })}\n`);
  }
} finally {
  await orm.close(true);
}
