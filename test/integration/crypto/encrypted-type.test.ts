import { randomBytes } from 'node:crypto';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from '../../../src/crypto/columns.ts';
import { EncryptedQueryError, KeyUnavailableError } from '../../../src/crypto/errors.ts';
import { masterKeyId, type MasterKey } from '../../../src/crypto/master-key.ts';
import { setupCipher } from '../../../src/crypto/setup.ts';
import { TEST_DRIVERS } from '../../support/db.ts';
import { databaseBytes, found } from './search-bytes.ts';
import { createCryptoDb, openOrm, ormOptionsFor, SecretNote, SecretNoteSchema, type CryptoDb } from './support.ts';

const newMaster = (): MasterKey => {
  const key = randomBytes(32);
  return { id: masterKeyId(key), key };
};

/** Planted PHI: none of it may appear in the database bytes. */
const PLANTED = {
  title: 'Pt Zebediah Quarrington DOB 1961-04-17',
  body: 'MRN 4477001122, seen for low back pain; can 97760 go with 97530? ',
  raw: 'X-Planted: SSN 078-05-1120',
  related: 'Re: Mrs Philippa Thistlewood knee brace',
};

describe.each(TEST_DRIVERS)('encrypted columns on %s', (driver) => {
  let db: CryptoDb;
  const mk = newMaster();

  beforeAll(async () => {
    db = await createCryptoDb(driver);
    await setupCipher(db.orm, { kind: 'key', master: mk });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reads back what it wrote, while the database holds none of it in the clear', async () => {
    const em = db.orm.em.fork();
    const body = PLANTED.body.repeat(160);
    const raw = Buffer.concat([Buffer.from(`From: a@b.test\r\n${PLANTED.raw}\r\n\r\n`), randomBytes(2000)]);
    const facts = { dateOfService: '2025-01-17', related: [{ caseNumber: 'CD-3', subject: PLANTED.related }], codes: ['97760'] };
    em.create(SecretNote, { title: PLANTED.title, body, raw, facts, tag: 'visible-control-tag' });
    em.create(SecretNote, { title: 'second', body: null, tag: 'x' });
    await em.flush();

    const got = await db.orm.em.fork().find(SecretNote, {}, { orderBy: { id: 'asc' }, populate: ['raw'] });
    expect(got.map((n) => [n.title, n.body, n.facts, n.tag])).toEqual([[PLANTED.title, body, facts, 'visible-control-tag'], ['second', null, null, 'x']]);
    expect(got[0].raw!.equals(raw)).toBe(true);

    const [stored] = await runSql<{ title: string; body: string; raw: Buffer }>(db.orm.em.fork(), 'select title, body, raw from secret_note order by id limit 1');
    expect(stored.title).toMatch(/^enc:1:1:/);
    expect(Buffer.from(stored.raw).subarray(0, 4).toString('hex')).toBe('ff434401');

    const bytes = databaseBytes(db.target);
    expect(found(bytes, ['visible-control-tag'])).toEqual(['visible-control-tag']);
    expect(found(bytes, [PLANTED.title, 'Zebediah', '4477001122', PLANTED.raw, '078-05-1120', 'Thistlewood', '2025-01-17'])).toEqual([]);
  });

  it('does not rewrite loaded rows at flush, and writes the fields that changed', async () => {
    const em = db.orm.em.fork();
    const note = em.create(SecretNote, { title: 'unchanged title', body: 'first body', facts: { a: 1, b: [2] }, tag: 'flush' });
    await em.flush();
    const before = await runSql<{ title: string }>(em, 'select title from secret_note where id = ?', [note.id]);

    const em2 = db.orm.em.fork();
    const loaded = await em2.findOneOrFail(SecretNote, { id: note.id });
    em2.getUnitOfWork().computeChangeSets();
    expect(em2.getUnitOfWork().getChangeSets()).toHaveLength(0);
    loaded.body = 'second body';
    em2.getUnitOfWork().computeChangeSets();
    expect(em2.getUnitOfWork().getChangeSets().flatMap((c) => Object.keys(c.payload))).toEqual(['body']);
    await em2.flush();
    loaded.facts = { ...loaded.facts, c: 3 };
    em2.getUnitOfWork().computeChangeSets();
    expect(em2.getUnitOfWork().getChangeSets().flatMap((c) => Object.keys(c.payload))).toEqual(['facts']);
    await em2.flush();
    expect((await db.orm.em.fork().findOneOrFail(SecretNote, { id: note.id })).facts).toEqual({ a: 1, b: [2], c: 3 });

    const after = await runSql<{ title: string }>(em, 'select title from secret_note where id = ?', [note.id]);
    expect(after[0].title).toBe(before[0].title);
    expect((await db.orm.em.fork().findOneOrFail(SecretNote, { id: note.id })).body).toBe('second body');
  });

  it('reads rows written before encryption as they are', async () => {
    const em = db.orm.em.fork();
    await runSql(em, `insert into secret_note (title, body, raw, facts, tag) values (?, ?, ?, ?, ?)`, ['legacy title', 'legacy body', Buffer.from('legacy raw'), '{"hits":[{"code":"97760"}]}', 'legacy']);
    const em2 = db.orm.em.fork();
    const note = await em2.findOneOrFail(SecretNote, { tag: 'legacy' }, { populate: ['raw'] });
    expect([note.title, note.body, note.raw!.toString(), note.facts]).toEqual(['legacy title', 'legacy body', 'legacy raw', { hits: [{ code: '97760' }] }]);
    em2.getUnitOfWork().computeChangeSets();
    expect(em2.getUnitOfWork().getChangeSets()).toHaveLength(0);
  });

  it('refuses a query by the value of an encrypted column', async () => {
    await expect(db.orm.em.fork().find(SecretNote, { title: PLANTED.title })).rejects.toThrow(EncryptedQueryError);
    expect(await db.orm.em.fork().count(SecretNote, { body: null })).toBeGreaterThan(0);
  });

  it('lets another process with the same master key read, and stops one with another key at start', async () => {
    const other = await openOrm(db.target);
    try {
      await setupCipher(other, { kind: 'key', master: mk });
      const titles = (await other.em.fork().find(SecretNote, {}, { orderBy: { id: 'asc' } })).map((n) => n.title);
      expect(titles[0]).toBe(PLANTED.title);
    } finally {
      await other.close(true);
    }
    const wrong = await openOrm(db.target);
    try {
      await expect(setupCipher(wrong, { kind: 'key', master: newMaster() })).rejects.toThrow(KeyUnavailableError);
    } finally {
      await wrong.close(true);
    }
  });

  it('declares the same column types as the plain text and blob columns it replaces (no type migration)', async () => {
    class PlainNote {
      id!: number;
      title!: string;
      body?: string | null;
      raw?: Buffer | null;
      facts?: Record<string, unknown> | null;
      tag!: string;
    }
    const PlainNoteSchema = new EntitySchema<PlainNote>({
      class: PlainNote,
      tableName: 'secret_note',
      properties: {
        id: { type: 'integer', primary: true, autoincrement: true },
        title: { type: 'text' },
        body: { type: 'text', nullable: true },
        raw: { type: 'blob', nullable: true, lazy: true },
        facts: { type: 'json', nullable: true },
        tag: { type: 'string', length: 32 },
      },
    });
    const ddl = async (schema: EntitySchema<any>) => {
      const orm = await MikroORM.init({ ...ormOptionsFor(db.target), entities: [schema] });
      try {
        return await orm.schema.getCreateSchemaSQL({ wrap: false });
      } finally {
        await orm.close(true);
      }
    };
    expect(await ddl(SecretNoteSchema)).toBe(await ddl(PlainNoteSchema));
  });
});

describe.each(TEST_DRIVERS)('JSON columns without a DATA_KEY (development) on %s', (driver) => {
  let db: CryptoDb;
  beforeAll(async () => {
    db = await createCryptoDb(driver);
    await setupCipher(db.orm, { kind: 'none', warning: 'no DATA_KEY (test)' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stores plain JSON, reads back the same value, and a flush of a loaded row rewrites nothing', async () => {
    const em = db.orm.em.fork();
    const note = em.create(SecretNote, { title: 't', facts: { spans: [{ kind: 'mrn', start: 1, end: 5 }] }, tag: 'plain' });
    await em.flush();
    const [stored] = await runSql<{ facts: unknown }>(db.orm.em.fork(), 'select facts from secret_note where id = ?', [note.id]);
    const storedValue = typeof stored.facts === 'string' ? JSON.parse(stored.facts) : stored.facts;
    expect(storedValue).toEqual({ spans: [{ kind: 'mrn', start: 1, end: 5 }] });

    for (let round = 0; round < 2; round += 1) {
      const em2 = db.orm.em.fork();
      const loaded = await em2.findOneOrFail(SecretNote, { id: note.id });
      expect(loaded.facts).toEqual({ spans: [{ kind: 'mrn', start: 1, end: 5 }] });
      em2.getUnitOfWork().computeChangeSets();
      expect(em2.getUnitOfWork().getChangeSets()).toHaveLength(0);
      loaded.title = `t${round}`;
      await em2.flush();
    }
    expect((await db.orm.em.fork().findOneOrFail(SecretNote, { id: note.id })).facts).toEqual({ spans: [{ kind: 'mrn', start: 1, end: 5 }] });
  });

  it('reads a value an earlier version stored as a JSON string of its JSON text', async () => {
    const em = db.orm.em.fork();
    await runSql(em, 'insert into secret_note (title, facts, tag) values (?, ?, ?)', ['t', JSON.stringify(JSON.stringify([{ kind: 'phone', start: 0, end: 3 }])), 'legacy-plain']);
    expect((await db.orm.em.fork().findOneOrFail(SecretNote, { tag: 'legacy-plain' })).facts).toEqual([{ kind: 'phone', start: 0, end: 3 }]);
  });
});
