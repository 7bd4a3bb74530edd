import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135903_release_impact extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "impact" ("id" serial primary key, "draft_id" int not null, "case_id" int not null, "release_id" int not null, "system" varchar(16) not null, "release_label" varchar(96) not null, "effective_date" varchar(10) not null, "previous_release_id" int not null, "facts" jsonb not null, "follow_up_draft_id" int null, "created_at" timestamptz not null);`);
    this.addSql(`create index "impact_case_id_index" on "impact" ("case_id");`);
    this.addSql(`create index "impact_release_id_index" on "impact" ("release_id");`);
    this.addSql(`alter table "impact" add constraint "impact_draft_id_release_id_unique" unique ("draft_id", "release_id");`);

    this.addSql(`alter table "draft" drop constraint "draft_case_message_id_unique";`);

    this.addSql(`alter table "draft" add column "follow_up_key" varchar(64) not null default '';`);
    this.addSql(`alter table "draft" add constraint "draft_case_message_id_follow_up_key_unique" unique ("case_message_id", "follow_up_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "impact" cascade;`);

    this.addSql(`alter table "draft" drop constraint "draft_case_message_id_follow_up_key_unique";`);
    this.addSql(`alter table "draft" drop column "follow_up_key";`);

    this.addSql(`alter table "draft" add constraint "draft_case_message_id_unique" unique ("case_message_id");`);
  }

}
