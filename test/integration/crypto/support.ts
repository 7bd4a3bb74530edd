import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { EntitySchema, MikroORM, OptionalProps, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { AuditChainHeadSchema, auditChainProperties } from '../../../src/audit/audit-chain.entity.ts';
import { DataKeySchema } from '../../../src/crypto/data-key.entity.ts';
import { EncryptedBlobType, EncryptedJsonType, EncryptedTextType } from '../../../src/crypto/encrypted-type.ts';
import { TEST_PG_URL, type TestDriver } from '../../support/db.ts';

/**
 * A small schema of its own for the crypto tests: the data_key and audit_chain_head tables as
 * they will be registered, a note entity with encrypted columns (standing in for CaseMessage,
 * Draft, CaseNote…), and audit_entry with today's columns plus the chain columns.
 */
export class SecretNote {
  [OptionalProps]?: 'body' | 'raw' | 'facts';
  id!: number;
  title!: string;
  body?: string | null;
  raw?: Buffer | null;
  /** Like draft.evidence: JSON with a date of service and other cases' subjects. */
  facts?: Record<string, unknown> | null;
  /** A plain column, as codes and states stay. */
  tag!: string;
}

export const SecretNoteSchema = new EntitySchema<SecretNote>({
  class: SecretNote,
  tableName: 'secret_note',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    title: { type: new EncryptedTextType('secret_note.title') },
    body: { type: new EncryptedTextType('secret_note.body'), nullable: true },
    raw: { type: new EncryptedBlobType('secret_note.raw'), nullable: true, lazy: true },
    facts: { type: new EncryptedJsonType('secret_note.facts'), nullable: true },
    tag: { type: 'string', length: 32 },
  },
});

export class ChainedAuditEntry {
  [OptionalProps]?: 'details' | 'at' | 'seq' | 'prevHash' | 'hash';
  id!: number;
  actor!: string;
  action!: string;
  caseId?: number | null;
  draftId?: number | null;
  details: Record<string, unknown> = {};
  at: Date = new Date();
  seq?: number | null;
  prevHash?: string | null;
  hash?: string | null;
}

export const ChainedAuditEntrySchema = new EntitySchema<ChainedAuditEntry>({
  class: ChainedAuditEntry,
  tableName: 'audit_entry',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    actor: { type: 'string', length: 320 },
    action: { type: 'string', length: 64 },
    caseId: { type: 'integer', nullable: true },
    draftId: { type: 'integer', nullable: true },
    details: { type: 'json' },
    at: { type: 'datetime' },
    ...auditChainProperties,
  },
});

export const cryptoEntities = [DataKeySchema, AuditChainHeadSchema, SecretNoteSchema, ChainedAuditEntrySchema];

export type Target = { driver: 'sqlite'; path: string } | { driver: 'postgresql'; url: string; dbName: string };

export function ormOptionsFor(target: Target): Options {
  const common = { entities: cryptoEntities, allowGlobalContext: false, forceUtcTimezone: true, debug: false } satisfies Options;
  return target.driver === 'postgresql'
    ? { ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 0, max: 10 } }
    : { ...common, driver: BetterSqliteDriver, dbName: target.path };
}

/** Open another ORM instance on the same database: another process, as far as the database can tell. */
export async function openOrm(target: Target): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptionsFor(target));
  if (target.driver === 'sqlite') {
    const conn = orm.em.getConnection();
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 10000');
  }
  return orm;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface CryptoDb {
  target: Target;
  orm: MikroORM;
  dir: string | null;
  drop(): Promise<void>;
}

/** A fresh database with the crypto test schema. */
export async function createCryptoDb(driver: TestDriver): Promise<CryptoDb> {
  let target: Target;
  let dir: string | null = null;
  if (driver === 'postgresql') {
    const dbName = `cd_crypto_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await admin(`create database ${dbName}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${dbName}`;
    target = { driver, url: url.toString(), dbName };
  } else {
    dir = mkdtempSync(join(tmpdir(), 'casedesk-crypto-'));
    target = { driver, path: join(dir, 'test.sqlite') };
  }
  const orm = await openOrm(target);
  await orm.schema.createSchema();
  return {
    target,
    orm,
    dir,
    drop: async () => {
      await orm.close(true);
      if (target.driver === 'postgresql') await admin(`drop database if exists ${target.dbName} with (force)`);
      else rmSync(dir!, { recursive: true, force: true });
    },
  };
}
