import { Migration } from '@mikro-orm/migrations';

export class Migration20261202140222_suggested_answers extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`reusable_answer\` (\`id\` integer not null primary key autoincrement, \`key\` text not null, \`intent\` text not null, \`codes\` json not null, \`body\` text not null, \`state\` text not null default 'active', \`source_draft_id\` integer null, \`updated_by\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`reusable_answer_key_unique\` on \`reusable_answer\` (\`key\`);`);
    this.addSql(`create index \`reusable_answer_state_index\` on \`reusable_answer\` (\`state\`);`);

    this.addSql(`alter table \`draft\` add column \`suggested_answer\` text null;`);
    this.addSql(`alter table \`draft\` add column \`suggested_text\` text null;`);
    this.addSql(`alter table \`draft\` add column \`intents\` json null;`);
    this.addSql(`alter table \`draft\` add column \`suggestion_facts\` json null;`);
    this.addSql(`alter table \`draft\` add column \`approved_text\` text null;`);
    this.addSql(`alter table \`draft\` add column \`approved_unchanged\` integer null;`);
    this.addSql(`alter table \`draft\` add column \`edit_distance\` double null;`);
  }

}
