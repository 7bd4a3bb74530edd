import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggerSql } from '../../../audit/append-only.ts';

export class Migration20261202153459_encryption_retention_audit_chain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_chain_head" ("id" int not null, "seq" bigint not null, "hash" varchar(64) not null, constraint "audit_chain_head_pkey" primary key ("id"));`);

    this.addSql(`create table "data_key" ("id" int not null, "wrapped" varchar(128) not null, "master_key_id" varchar(32) not null, "created_at" timestamptz not null, "active_from" timestamptz not null, "retired_at" timestamptz null, "rewrapped_at" timestamptz null, constraint "data_key_pkey" primary key ("id"));`);
    this.addSql(`create index "data_key_master_key_id_index" on "data_key" ("master_key_id");`);

    this.addSql(`alter table "audit_entry" add column "seq" bigint null, add column "prev_hash" varchar(64) null, add column "hash" varchar(64) null;`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_seq_unique" unique ("seq");`);

    this.addSql(`alter table "cases" add column "content_purged_at" timestamptz null;`);

    this.addSql(`alter table "inbound_message" add column "raw_purged_at" timestamptz null;`);
    this.addSql(`alter table "inbound_message" alter column "raw" type bytea using ("raw"::bytea);`);
    this.addSql(`alter table "inbound_message" alter column "raw" drop not null;`);

    // The audit log is append-only below the application too (src/audit/append-only.ts).
    for (const sql of appendOnlyTriggerSql('postgresql')) this.addSql(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "audit_entry_append_only" on "audit_entry";`);
    this.addSql(`drop trigger if exists "audit_entry_no_truncate" on "audit_entry";`);
    this.addSql(`drop function if exists audit_entry_append_only();`);
    this.addSql(`drop table if exists "audit_chain_head" cascade;`);

    this.addSql(`drop table if exists "data_key" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_seq_unique";`);
    this.addSql(`alter table "audit_entry" drop column "seq", drop column "prev_hash", drop column "hash";`);

    this.addSql(`alter table "cases" drop column "content_purged_at";`);

    this.addSql(`alter table "inbound_message" drop column "raw_purged_at";`);

    this.addSql(`alter table "inbound_message" alter column "raw" type bytea using ("raw"::bytea);`);
    this.addSql(`alter table "inbound_message" alter column "raw" set not null;`);
  }

}
