import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135532_attachments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`attachment\` (\`id\` integer not null primary key autoincrement, \`case_id\` integer not null, \`case_message_id\` integer not null, \`part_index\` integer not null, \`name\` text not null, \`declared_type\` text not null, \`sniffed_type\` text not null, \`kind\` text not null, \`size\` integer not null, \`sha256\` text null, \`inline\` integer not null, \`state\` text not null, \`reason\` text null, \`signature\` text null, \`scan_attempts\` integer not null default 0, \`scanned_at\` datetime null, \`text_status\` text not null default 'pending', \`text_note\` text null, \`text\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`attachment_case_id_index\` on \`attachment\` (\`case_id\`);`);
    this.addSql(`create index \`attachment_state_index\` on \`attachment\` (\`state\`);`);
    this.addSql(`create unique index \`attachment_case_message_id_part_index_unique\` on \`attachment\` (\`case_message_id\`, \`part_index\`);`);

    this.addSql(`create table \`attachment_content\` (\`attachment_id\` integer not null, \`content\` blob not null, primary key (\`attachment_id\`));`);

    this.addSql(`alter table \`cases\` add column \`flag\` text null;`);
  }

}
