/**
 * Encryption-at-rest benchmark (`npm run bench:crypto`).
 *
 * 1. The envelope alone: seal and open of one value (1 KB, 10 KB, 100 KB; text and binary form),
 *    in operations per second on one core.
 * 2. Through MikroORM, as the pipeline uses it: rows shaped like a case message (subject, new
 *    text, full text, HTML ≈ 22 KB of text) plus a 25 KB raw source, each written in its own
 *    flush, then each loaded, read and flushed again (unchanged), once with plain columns and once
 *    with the encrypted column types, in the same run on the same database. Prints ms per row
 *    and the ratio, which predicts the "≥ 90 % of intake→draft throughput" target.
 *
 * Env: BENCH_DRIVERS=sqlite,postgresql (default sqlite), BENCH_PG_URL (default
 * postgresql://postgres@127.0.0.1:5432/postgres), BENCH_ROWS (default 400).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { DataKeySchema } from '../src/crypto/data-key.entity.ts';
import { EncryptedBlobType, EncryptedTextType } from '../src/crypto/encrypted-type.ts';
import { openBytes, openText, sealBytes, sealText } from '../src/crypto/envelope.ts';
import { masterKeyId } from '../src/crypto/master-key.ts';
import { setupCipher } from '../src/crypto/setup.ts';

const DRIVERS = (process.env.BENCH_DRIVERS ?? 'sqlite').split(',').map((s) => s.trim());
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 400);

/** CPU milliseconds this process used since `from` (user + system): steadier than wall time on a shared machine. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** Operations per CPU second of `fn`: the median of 5 rounds of about 200 ms of CPU each. */
function opsPerSecond(fn: () => void): number {
  const rates: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    let n = 0;
    const start = process.cpuUsage();
    let used = 0;
    while (used < 200) {
      for (let i = 0; i < 20; i += 1) fn();
      n += 20;
      used = cpuMs(start);
    }
    rates.push((n / used) * 1000);
  }
  return rates.sort((a, b) => a - b)[2];
}

function envelopeBench(): void {
  const dk = { id: 1, key: randomBytes(32) };
  const keyFor = () => dk.key;
  process.stdout.write('envelope, per CPU second       seal ops/s    open ops/s    seal MB/s\n');
  for (const size of [1024, 10 * 1024, 100 * 1024]) {
    const text = 'Can 97760 be billed with 97530 on the same day? '.repeat(Math.ceil(size / 48)).slice(0, size);
    const bytes = Buffer.from(text);
    const sealedText = sealText(dk, text, 'bench.text');
    const sealedBytes = sealBytes(dk, bytes, 'bench.raw');
    const rows: [string, number, number][] = [
      [`text   ${size / 1024} KB`, opsPerSecond(() => sealText(dk, text, 'bench.text')), opsPerSecond(() => openText(sealedText, 'bench.text', keyFor))],
      [`binary ${size / 1024} KB`, opsPerSecond(() => sealBytes(dk, bytes, 'bench.raw')), opsPerSecond(() => openBytes(sealedBytes, 'bench.raw', keyFor))],
    ];
    for (const [name, seal, open] of rows) {
      process.stdout.write(`  ${name.padEnd(28)} ${seal.toFixed(0).padStart(10)}    ${open.toFixed(0).padStart(10)}    ${((seal * size) / 1e6).toFixed(0).padStart(8)}\n`);
    }
  }
}

/**
 * The envelope work one question of `npm run bench` causes, counted from the stages: ingest seals
 * the raw source; parse opens it and seals the case subject and the message's subject, new text
 * and full text; draft opens those and seals the draft's subject, text and HTML; each flush seals
 * the loaded entities' fields again (the change check finds them in the cache).
 */
function pipelineMessageCost(): void {
  const dk = { id: 1, key: randomBytes(32) };
  const keyFor = () => dk.key;
  const body = 'Hello,\n\nCan 97110 be billed with 97530-59 for DOS 01/05/2025? We billed 97110 x2.\n\nThanks,\nCoder 7\n';
  const raw = Buffer.from(`From: coder7@bench.test\r\nSubject: Billing question 7: 97110 and 97530\r\n\r\n${body}`.repeat(2));
  const fields = ['Billing question 7: 97110 and 97530', body, body.repeat(2)];
  const draft = ['Re: Billing question 7 [CD-7]', 'x'.repeat(2500), '<p>x</p>'.repeat(600)];
  const perMessage = () => {
    const sealedRaw = sealBytes(dk, raw, 'inbound_message.raw');
    openBytes(sealedRaw, 'inbound_message.raw', keyFor);
    const sealed = [fields[0], ...fields].map((f) => sealText(dk, f, 'case_message.text'));
    sealed.forEach((v) => openText(v, 'case_message.text', keyFor));
    sealBytes(dk, raw, 'inbound_message.raw'); // parse flush: the loaded inbound row's snapshot
    [...fields, ...fields, ...draft].forEach((f) => sealText(dk, f, 'draft.body_text')); // draft stage writes and flush snapshots
  };
  const rate = opsPerSecond(perMessage);
  process.stdout.write(`one \`npm run bench\` question (≈1 KB raw): ${(1000 / rate).toFixed(3)} ms CPU of envelope work per message\n`);
}

interface Msg {
  id: number;
  subject: string;
  textNew: string;
  textFull: string;
  html: string;
  raw: Buffer;
}

function schemas() {
  class PlainMsg {}
  class SealedMsg {}
  const plain = new EntitySchema<Msg>({
    class: PlainMsg as never,
    tableName: 'bench_plain',
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      subject: { type: 'text' },
      textNew: { type: 'text' },
      textFull: { type: 'text' },
      html: { type: 'text' },
      raw: { type: 'blob' },
    },
  });
  const sealed = new EntitySchema<Msg>({
    class: SealedMsg as never,
    tableName: 'bench_sealed',
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      subject: { type: new EncryptedTextType('bench_sealed.subject') },
      textNew: { type: new EncryptedTextType('bench_sealed.text_new') },
      textFull: { type: new EncryptedTextType('bench_sealed.text_full') },
      html: { type: new EncryptedTextType('bench_sealed.html') },
      raw: { type: new EncryptedBlobType('bench_sealed.raw') },
    },
  });
  return { plain, sealed };
}

function sampleMessage(i: number): Omit<Msg, 'id'> {
  const line = `Question ${i}: can 97760 be billed with 97530 on the same day for patient ${i}? `;
  return {
    subject: `Re: NCCI question ${i} about 97760`,
    textNew: line.repeat(25),
    textFull: line.repeat(125),
    html: `<p>${line}</p>`.repeat(115),
    raw: randomBytes(25 * 1024),
  };
}

interface Round {
  write: number;
  read: number;
  writeCpu: number;
  readCpu: number;
}

/** Write ROWS rows one flush each, then load, read and flush each again; wall and CPU ms per row. */
async function ormRound(orm: MikroORM, schema: EntitySchema<Msg>): Promise<Round> {
  const ids: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += 1) {
    const em = orm.em.fork();
    const m = em.create(schema, sampleMessage(i));
    await em.flush();
    ids.push(m.id);
  }
  const t1 = performance.now();
  const writeCpu = cpuMs(c0);
  const c1 = process.cpuUsage();
  for (const id of ids) {
    const em = orm.em.fork();
    const m = await em.findOneOrFail(schema, { id });
    if (m.textFull.length === 0 || m.raw.length === 0) throw new Error('empty read');
    await em.flush();
  }
  const t2 = performance.now();
  return { write: (t1 - t0) / ROWS, read: (t2 - t1) / ROWS, writeCpu: writeCpu / ROWS, readCpu: cpuMs(c1) / ROWS };
}

async function withDatabase(driver: string, run: (options: Options) => Promise<void>): Promise<void> {
  if (driver === 'postgresql') {
    const name = `cd_bench_crypto_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    try {
      await run({ driver: PostgreSqlDriver, clientUrl: url.toString() });
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'casedesk-bench-crypto-'));
  try {
    await run({ driver: BetterSqliteDriver, dbName: join(dir, 'bench.sqlite') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ormBench(driver: string): Promise<void> {
  await withDatabase(driver, async (options) => {
    const { plain, sealed } = schemas();
    const orm = await MikroORM.init({ ...options, entities: [DataKeySchema, plain, sealed], allowGlobalContext: false, forceUtcTimezone: true, debug: false } as Options);
    try {
      if (driver === 'sqlite') {
        await orm.em.getConnection().execute('pragma journal_mode = wal');
        await orm.em.getConnection().execute('pragma synchronous = normal');
      }
      await orm.schema.createSchema();
      const key = randomBytes(32);
      await setupCipher(orm, { kind: 'key', master: { id: masterKeyId(key), key } });
      await ormRound(orm, plain); // warm-up of the plain path's code
      await orm.em.getConnection().execute('delete from bench_plain');
      const off = await ormRound(orm, plain);
      const on = await ormRound(orm, sealed);
      const f = (v: number) => v.toFixed(2).padStart(7);
      const line = (name: string, r: Round) =>
        `  ${name.padEnd(10)} write ${f(r.write)} ms wall ${f(r.writeCpu)} ms CPU   load+flush ${f(r.read)} ms wall ${f(r.readCpu)} ms CPU\n`;
      process.stdout.write(`MikroORM on ${driver}, ${ROWS} rows of ≈22 KB text + 25 KB raw, one flush each (per row)\n`);
      process.stdout.write(line('plain', off) + line('encrypted', on));
      const cpuOff = off.writeCpu + off.readCpu;
      const cpuOn = on.writeCpu + on.readCpu;
      process.stdout.write(`  encryption adds ${(cpuOn - cpuOff).toFixed(2)} ms CPU per message written and read once; CPU ratio plain/encrypted ${(cpuOff / cpuOn).toFixed(2)}, wall ratio ${((off.write + off.read) / (on.write + on.read)).toFixed(2)}\n`);
    } finally {
      await orm.close(true);
    }
  });
}

process.stdout.write(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
envelopeBench();
pipelineMessageCost();
for (const driver of DRIVERS) await ormBench(driver);
