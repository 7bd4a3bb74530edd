import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135902_release_impact extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`impact\` (\`id\` integer not null primary key autoincrement, \`draft_id\` integer not null, \`case_id\` integer not null, \`release_id\` integer not null, \`system\` text not null, \`release_label\` text not null, \`effective_date\` text not null, \`previous_release_id\` integer not null, \`facts\` json not null, \`follow_up_draft_id\` integer null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`impact_case_id_index\` on \`impact\` (\`case_id\`);`);
    this.addSql(`create index \`impact_release_id_index\` on \`impact\` (\`release_id\`);`);
    this.addSql(`create unique index \`impact_draft_id_release_id_unique\` on \`impact\` (\`draft_id\`, \`release_id\`);`);

    this.addSql(`drop index \`draft_case_message_id_unique\`;`);

    this.addSql(`alter table \`draft\` add column \`follow_up_key\` text not null default '';`);
    this.addSql(`create unique index \`draft_case_message_id_follow_up_key_unique\` on \`draft\` (\`case_message_id\`, \`follow_up_key\`);`);
  }

}
