import { Migration } from '@mikro-orm/migrations';

export class Migration20261202140628_sweep_and_quota_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "cases_subscriber_id_opened_at_index" on "cases" ("subscriber_id", "opened_at");`);

    this.addSql(`create index "case_message_wants_draft_idx" on "case_message" ("id") where "direction" = 'in' and "wants_draft" = true;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "case_message_wants_draft_idx";`);

    this.addSql(`drop index "cases_subscriber_id_opened_at_index";`);
  }

}
