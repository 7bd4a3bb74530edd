import { Migration } from '@mikro-orm/migrations';

export class Migration20261202140222_suggested_answers extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "reusable_answer" ("id" serial primary key, "key" varchar(400) not null, "intent" varchar(32) not null, "codes" jsonb not null, "body" text not null, "state" varchar(16) not null default 'active', "source_draft_id" int null, "updated_by" varchar(320) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "reusable_answer" add constraint "reusable_answer_key_unique" unique ("key");`);
    this.addSql(`create index "reusable_answer_state_index" on "reusable_answer" ("state");`);

    this.addSql(`alter table "draft" add column "suggested_answer" text null, add column "suggested_text" text null, add column "intents" jsonb null, add column "suggestion_facts" jsonb null, add column "approved_text" text null, add column "approved_unchanged" boolean null, add column "edit_distance" double precision null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "reusable_answer" cascade;`);

    this.addSql(`alter table "draft" drop column "suggested_answer", drop column "suggested_text", drop column "intents", drop column "suggestion_facts", drop column "approved_text", drop column "approved_unchanged", drop column "edit_distance";`);
  }

}
