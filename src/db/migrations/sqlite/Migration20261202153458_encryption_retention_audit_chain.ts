import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggerSql } from '../../../audit/append-only.ts';

export class Migration20261202153458_encryption_retention_audit_chain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_chain_head\` (\`id\` integer not null, \`seq\` bigint not null, \`hash\` text not null, primary key (\`id\`));`);

    this.addSql(`create table \`data_key\` (\`id\` integer not null, \`wrapped\` text not null, \`master_key_id\` text not null, \`created_at\` datetime not null, \`active_from\` datetime not null, \`retired_at\` datetime null, \`rewrapped_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`data_key_master_key_id_index\` on \`data_key\` (\`master_key_id\`);`);

    this.addSql(`alter table \`audit_entry\` add column \`seq\` bigint null;`);
    this.addSql(`alter table \`audit_entry\` add column \`prev_hash\` text null;`);
    this.addSql(`alter table \`audit_entry\` add column \`hash\` text null;`);
    this.addSql(`create unique index \`audit_entry_seq_unique\` on \`audit_entry\` (\`seq\`);`);

    this.addSql(`alter table \`cases\` add column \`content_purged_at\` datetime null;`);

    // Retention sets raw to NULL once purged: SQLite changes a column's NOT NULL only by a table rebuild.
    this.addSql(`create table \`inbound_message_new\` (\`id\` integer not null primary key autoincrement, \`mailbox\` text not null, \`uid_validity\` bigint not null, \`uid\` bigint not null, \`content_hash\` text not null, \`message_id\` text null, \`size\` integer not null, \`raw\` blob null, \`state\` text not null default 'stored', \`kind\` text null, \`reasons\` json not null, \`case_id\` integer null, \`case_message_id\` integer null, \`error\` text null, \`attempts\` integer not null default 0, \`received_at\` datetime not null, \`updated_at\` datetime not null, \`sender_verdict\` text null, \`sender_reasons\` json null, \`raw_purged_at\` datetime null);`);
    this.addSql(`insert into \`inbound_message_new\` (\`id\`, \`mailbox\`, \`uid_validity\`, \`uid\`, \`content_hash\`, \`message_id\`, \`size\`, \`raw\`, \`state\`, \`kind\`, \`reasons\`, \`case_id\`, \`case_message_id\`, \`error\`, \`attempts\`, \`received_at\`, \`updated_at\`, \`sender_verdict\`, \`sender_reasons\`) select \`id\`, \`mailbox\`, \`uid_validity\`, \`uid\`, \`content_hash\`, \`message_id\`, \`size\`, \`raw\`, \`state\`, \`kind\`, \`reasons\`, \`case_id\`, \`case_message_id\`, \`error\`, \`attempts\`, \`received_at\`, \`updated_at\`, \`sender_verdict\`, \`sender_reasons\` from \`inbound_message\`;`);
    this.addSql(`drop table \`inbound_message\`;`);
    this.addSql(`alter table \`inbound_message_new\` rename to \`inbound_message\`;`);
    this.addSql(`create index \`inbound_message_state_index\` on \`inbound_message\` (\`state\`);`);
    this.addSql(`create index \`inbound_message_mailbox_content_hash_index\` on \`inbound_message\` (\`mailbox\`, \`content_hash\`);`);
    this.addSql(`create unique index \`inbound_message_mailbox_uid_validity_uid_unique\` on \`inbound_message\` (\`mailbox\`, \`uid_validity\`, \`uid\`);`);

    // The audit log is append-only below the application too (src/audit/append-only.ts).
    for (const sql of appendOnlyTriggerSql('sqlite')) this.addSql(sql);
  }

}
