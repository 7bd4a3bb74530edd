import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135549_sender_auth_phi extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "cases" add column "hold_reason" varchar(64) null, add column "unverified_sender" boolean not null default false;`);

    this.addSql(`alter table "case_message" add column "sender_verdict" varchar(16) null, add column "sender_reasons" jsonb null, add column "phi_spans" jsonb null;`);

    this.addSql(`alter table "inbound_message" add column "sender_verdict" varchar(16) null, add column "sender_reasons" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "case_message" drop column "sender_verdict", drop column "sender_reasons", drop column "phi_spans";`);

    this.addSql(`alter table "cases" drop column "hold_reason", drop column "unverified_sender";`);

    this.addSql(`alter table "inbound_message" drop column "sender_verdict", drop column "sender_reasons";`);
  }

}
