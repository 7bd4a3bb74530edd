import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135758_classification_corrections extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "classification_correction" ("id" serial primary key, "inbound_id" int not null, "case_id" int null, "classified_as" varchar(16) not null, "classifier_kind" varchar(32) null, "classifier_reasons" jsonb not null, "label" varchar(16) not null, "corrected_by" varchar(320) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "classification_correction_created_at_index" on "classification_correction" ("created_at");`);
    this.addSql(`alter table "classification_correction" add constraint "classification_correction_inbound_id_unique" unique ("inbound_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "classification_correction" cascade;`);
  }

}
