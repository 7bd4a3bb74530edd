import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135757_classification_corrections extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`classification_correction\` (\`id\` integer not null primary key autoincrement, \`inbound_id\` integer not null, \`case_id\` integer null, \`classified_as\` text not null, \`classifier_kind\` text null, \`classifier_reasons\` json not null, \`label\` text not null, \`corrected_by\` text not null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`classification_correction_created_at_index\` on \`classification_correction\` (\`created_at\`);`);
    this.addSql(`create unique index \`classification_correction_inbound_id_unique\` on \`classification_correction\` (\`inbound_id\`);`);
  }

}
