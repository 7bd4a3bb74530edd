import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135533_attachments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "attachment" ("id" serial primary key, "case_id" int not null, "case_message_id" int not null, "part_index" int not null, "name" varchar(255) not null, "declared_type" varchar(255) not null, "sniffed_type" varchar(255) not null, "kind" varchar(16) not null, "size" int not null, "sha256" varchar(64) null, "inline" boolean not null, "state" varchar(16) not null, "reason" text null, "signature" varchar(255) null, "scan_attempts" int not null default 0, "scanned_at" timestamptz null, "text_status" varchar(16) not null default 'pending', "text_note" text null, "text" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "attachment_case_id_index" on "attachment" ("case_id");`);
    this.addSql(`create index "attachment_state_index" on "attachment" ("state");`);
    this.addSql(`alter table "attachment" add constraint "attachment_case_message_id_part_index_unique" unique ("case_message_id", "part_index");`);

    this.addSql(`create table "attachment_content" ("attachment_id" int not null, "content" bytea not null, constraint "attachment_content_pkey" primary key ("attachment_id"));`);

    this.addSql(`alter table "cases" add column "flag" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "attachment" cascade;`);

    this.addSql(`drop table if exists "attachment_content" cascade;`);

    this.addSql(`alter table "cases" drop column "flag";`);
  }

}
