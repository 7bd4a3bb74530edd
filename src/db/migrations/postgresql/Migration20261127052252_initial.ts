import { Migration } from '@mikro-orm/migrations';

export class Migration20261127052252_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_entry" ("id" serial primary key, "actor" varchar(320) not null, "action" varchar(64) not null, "case_id" int null, "draft_id" int null, "details" jsonb not null, "at" timestamptz not null);`);
    this.addSql(`create index "audit_entry_case_id_index" on "audit_entry" ("case_id");`);
    this.addSql(`create index "audit_entry_at_index" on "audit_entry" ("at");`);

    this.addSql(`create table "cases" ("id" serial primary key, "subject" text not null, "requester_email" varchar(320) not null, "requester_name" varchar(320) null, "state" varchar(16) not null default 'open', "subscriber_id" int null, "assignee" varchar(320) null, "opened_at" timestamptz not null, "last_inbound_at" timestamptz not null, "due_at" timestamptz null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "cases_requester_email_index" on "cases" ("requester_email");`);
    this.addSql(`create index "cases_state_index" on "cases" ("state");`);

    this.addSql(`create table "case_message" ("id" serial primary key, "case_id" int not null, "direction" varchar(3) not null, "inbound_message_id" int null, "outbox_id" int null, "message_id" text not null, "message_id_hash" varchar(64) not null, "in_reply_to" text null, "references" jsonb not null, "from_address" varchar(320) not null, "from_name" varchar(320) null, "to_addresses" jsonb not null, "subject" text not null, "text_new" text not null, "text_full" text not null, "html" text null, "wants_draft" boolean not null default false, "sent_at" timestamptz not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "case_message" add constraint "case_message_inbound_message_id_unique" unique ("inbound_message_id");`);
    this.addSql(`alter table "case_message" add constraint "case_message_outbox_id_unique" unique ("outbox_id");`);
    this.addSql(`alter table "case_message" add constraint "case_message_message_id_hash_unique" unique ("message_id_hash");`);
    this.addSql(`create index "case_message_case_id_index" on "case_message" ("case_id");`);

    this.addSql(`create table "case_note" ("id" serial primary key, "case_id" int not null, "author" varchar(320) not null, "text" text not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "case_note_case_id_index" on "case_note" ("case_id");`);

    this.addSql(`create table "code_description" ("id" serial primary key, "code" varchar(8) not null, "text" text not null, "author" varchar(320) null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "code_description" add constraint "code_description_code_unique" unique ("code");`);

    this.addSql(`create table "code_entry" ("id" serial primary key, "release_id" int not null, "code" varchar(8) not null, "kind" varchar(8) not null, "short_description" text null, "long_description" text not null, "consumer_description" text null, "valid_from" varchar(10) null, "valid_to" varchar(10) null);`);
    this.addSql(`create index "code_entry_code_index" on "code_entry" ("code");`);
    this.addSql(`alter table "code_entry" add constraint "code_entry_release_id_code_unique" unique ("release_id", "code");`);

    this.addSql(`create table "code_release" ("id" serial primary key, "system" varchar(16) not null, "layout" varchar(16) not null, "version" varchar(64) not null, "effective_date" varchar(10) not null, "source_file" varchar(255) not null, "checksum" varchar(64) not null, "rows_read" int not null default 0, "rows_added" int not null default 0, "rows_changed" int not null default 0, "rows_ended" int not null default 0, "rows_rejected" int not null default 0, "imported_at" timestamptz not null);`);
    this.addSql(`alter table "code_release" add constraint "code_release_system_checksum_unique" unique ("system", "checksum");`);

    this.addSql(`create table "draft" ("id" serial primary key, "case_id" int not null, "case_message_id" int not null, "kind" varchar(32) not null, "state" varchar(16) not null default 'pending', "subject" text not null, "body_text" text not null, "body_html" text not null, "codes" jsonb not null, "evidence" jsonb not null, "versions" jsonb not null, "due_at" timestamptz null, "decided_by" varchar(320) null, "decided_at" timestamptz null, "reject_reason" text null, "outbox_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "draft" add constraint "draft_case_message_id_unique" unique ("case_message_id");`);
    this.addSql(`create index "draft_state_index" on "draft" ("state");`);
    this.addSql(`create index "draft_case_id_index" on "draft" ("case_id");`);

    this.addSql(`create table "inbound_message" ("id" serial primary key, "mailbox" varchar(255) not null, "uid_validity" bigint not null, "uid" bigint not null, "content_hash" varchar(64) not null, "message_id" text null, "size" int not null, "raw" bytea not null, "state" varchar(16) not null default 'stored', "kind" varchar(32) null, "reasons" jsonb not null, "case_id" int null, "case_message_id" int null, "error" text null, "attempts" int not null default 0, "received_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "inbound_message_state_index" on "inbound_message" ("state");`);
    this.addSql(`create index "inbound_message_mailbox_content_hash_index" on "inbound_message" ("mailbox", "content_hash");`);
    this.addSql(`alter table "inbound_message" add constraint "inbound_message_mailbox_uid_validity_uid_unique" unique ("mailbox", "uid_validity", "uid");`);

    this.addSql(`create table "mailbox_cursor" ("id" serial primary key, "mailbox" varchar(255) not null, "uid_validity" bigint not null, "last_uid" bigint not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "mailbox_cursor" add constraint "mailbox_cursor_mailbox_unique" unique ("mailbox");`);

    this.addSql(`create table "mue_limit" ("id" serial primary key, "release_id" int not null, "code" varchar(8) not null, "value" int not null, "adjudication_indicator" varchar(1) not null, "rationale" text not null);`);
    this.addSql(`create index "mue_limit_code_index" on "mue_limit" ("code");`);
    this.addSql(`alter table "mue_limit" add constraint "mue_limit_release_id_code_unique" unique ("release_id", "code");`);

    this.addSql(`create table "ncci_edit" ("id" serial primary key, "release_id" int not null, "column1" varchar(8) not null, "column2" varchar(8) not null, "prior_to1996" boolean not null, "effective_date" varchar(10) not null, "deletion_date" varchar(10) null, "modifier_indicator" varchar(1) not null, "rationale" text not null);`);
    this.addSql(`create index "ncci_edit_release_id_column1_column2_index" on "ncci_edit" ("release_id", "column1", "column2");`);
    this.addSql(`create index "ncci_edit_release_id_column2_index" on "ncci_edit" ("release_id", "column2");`);

    this.addSql(`create table "outbox" ("id" serial primary key, "dedupe_key" varchar(128) not null, "kind" varchar(32) not null, "case_id" int null, "draft_id" int null, "message_id" varchar(255) not null, "to_address" varchar(320) not null, "subject" text not null, "text" text not null, "html" text null, "in_reply_to" text null, "references" jsonb not null, "auto_submitted" boolean not null default false, "state" varchar(16) not null default 'queued', "attempts" int not null default 0, "last_error" text null, "smtp_response" text null, "bounce_status" varchar(32) null, "bounce_diagnostic" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "outbox" add constraint "outbox_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`alter table "outbox" add constraint "outbox_message_id_unique" unique ("message_id");`);
    this.addSql(`create index "outbox_state_index" on "outbox" ("state");`);
    this.addSql(`create index "outbox_to_address_kind_index" on "outbox" ("to_address", "kind");`);

    this.addSql(`create table "subscriber" ("id" serial primary key, "pattern" varchar(320) not null, "plan" varchar(64) not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "subscriber" add constraint "subscriber_pattern_unique" unique ("pattern");`);

    this.addSql(`create table "app_user" ("id" serial primary key, "email" varchar(320) not null, "role" varchar(16) not null, "password_hash" varchar(255) not null, "active" boolean not null default true, "created_at" timestamptz not null, "last_login_at" timestamptz null);`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "web_session" ("id" varchar(128) not null, "data" text not null, "user_id" int null, "expires_at" timestamptz not null, constraint "web_session_pkey" primary key ("id"));`);
    this.addSql(`create index "web_session_expires_at_index" on "web_session" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_entry" cascade;`);

    this.addSql(`drop table if exists "cases" cascade;`);

    this.addSql(`drop table if exists "case_message" cascade;`);

    this.addSql(`drop table if exists "case_note" cascade;`);

    this.addSql(`drop table if exists "code_description" cascade;`);

    this.addSql(`drop table if exists "code_entry" cascade;`);

    this.addSql(`drop table if exists "code_release" cascade;`);

    this.addSql(`drop table if exists "draft" cascade;`);

    this.addSql(`drop table if exists "inbound_message" cascade;`);

    this.addSql(`drop table if exists "mailbox_cursor" cascade;`);

    this.addSql(`drop table if exists "mue_limit" cascade;`);

    this.addSql(`drop table if exists "ncci_edit" cascade;`);

    this.addSql(`drop table if exists "outbox" cascade;`);

    this.addSql(`drop table if exists "subscriber" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "web_session" cascade;`);
  }

}
