import { Migration } from '@mikro-orm/migrations';

export class Migration20261127052252_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_entry\` (\`id\` integer not null primary key autoincrement, \`actor\` text not null, \`action\` text not null, \`case_id\` integer null, \`draft_id\` integer null, \`details\` json not null, \`at\` datetime not null);`);
    this.addSql(`create index \`audit_entry_case_id_index\` on \`audit_entry\` (\`case_id\`);`);
    this.addSql(`create index \`audit_entry_at_index\` on \`audit_entry\` (\`at\`);`);

    this.addSql(`create table \`cases\` (\`id\` integer not null primary key autoincrement, \`subject\` text not null, \`requester_email\` text not null, \`requester_name\` text null, \`state\` text not null default 'open', \`subscriber_id\` integer null, \`assignee\` text null, \`opened_at\` datetime not null, \`last_inbound_at\` datetime not null, \`due_at\` datetime null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`cases_requester_email_index\` on \`cases\` (\`requester_email\`);`);
    this.addSql(`create index \`cases_state_index\` on \`cases\` (\`state\`);`);

    this.addSql(`create table \`case_message\` (\`id\` integer not null primary key autoincrement, \`case_id\` integer not null, \`direction\` text not null, \`inbound_message_id\` integer null, \`outbox_id\` integer null, \`message_id\` text not null, \`message_id_hash\` text not null, \`in_reply_to\` text null, \`references\` json not null, \`from_address\` text not null, \`from_name\` text null, \`to_addresses\` json not null, \`subject\` text not null, \`text_new\` text not null, \`text_full\` text not null, \`html\` text null, \`wants_draft\` integer not null default false, \`sent_at\` datetime not null, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`case_message_inbound_message_id_unique\` on \`case_message\` (\`inbound_message_id\`);`);
    this.addSql(`create unique index \`case_message_outbox_id_unique\` on \`case_message\` (\`outbox_id\`);`);
    this.addSql(`create unique index \`case_message_message_id_hash_unique\` on \`case_message\` (\`message_id_hash\`);`);
    this.addSql(`create index \`case_message_case_id_index\` on \`case_message\` (\`case_id\`);`);

    this.addSql(`create table \`case_note\` (\`id\` integer not null primary key autoincrement, \`case_id\` integer not null, \`author\` text not null, \`text\` text not null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`case_note_case_id_index\` on \`case_note\` (\`case_id\`);`);

    this.addSql(`create table \`code_description\` (\`id\` integer not null primary key autoincrement, \`code\` text not null, \`text\` text not null, \`author\` text null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`code_description_code_unique\` on \`code_description\` (\`code\`);`);

    this.addSql(`create table \`code_entry\` (\`id\` integer not null primary key autoincrement, \`release_id\` integer not null, \`code\` text not null, \`kind\` text not null, \`short_description\` text null, \`long_description\` text not null, \`consumer_description\` text null, \`valid_from\` text null, \`valid_to\` text null);`);
    this.addSql(`create index \`code_entry_code_index\` on \`code_entry\` (\`code\`);`);
    this.addSql(`create unique index \`code_entry_release_id_code_unique\` on \`code_entry\` (\`release_id\`, \`code\`);`);

    this.addSql(`create table \`code_release\` (\`id\` integer not null primary key autoincrement, \`system\` text not null, \`layout\` text not null, \`version\` text not null, \`effective_date\` text not null, \`source_file\` text not null, \`checksum\` text not null, \`rows_read\` integer not null default 0, \`rows_added\` integer not null default 0, \`rows_changed\` integer not null default 0, \`rows_ended\` integer not null default 0, \`rows_rejected\` integer not null default 0, \`imported_at\` datetime not null);`);
    this.addSql(`create unique index \`code_release_system_checksum_unique\` on \`code_release\` (\`system\`, \`checksum\`);`);

    this.addSql(`create table \`draft\` (\`id\` integer not null primary key autoincrement, \`case_id\` integer not null, \`case_message_id\` integer not null, \`kind\` text not null, \`state\` text not null default 'pending', \`subject\` text not null, \`body_text\` text not null, \`body_html\` text not null, \`codes\` json not null, \`evidence\` json not null, \`versions\` json not null, \`due_at\` datetime null, \`decided_by\` text null, \`decided_at\` datetime null, \`reject_reason\` text null, \`outbox_id\` integer null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`draft_case_message_id_unique\` on \`draft\` (\`case_message_id\`);`);
    this.addSql(`create index \`draft_state_index\` on \`draft\` (\`state\`);`);
    this.addSql(`create index \`draft_case_id_index\` on \`draft\` (\`case_id\`);`);

    this.addSql(`create table \`inbound_message\` (\`id\` integer not null primary key autoincrement, \`mailbox\` text not null, \`uid_validity\` bigint not null, \`uid\` bigint not null, \`content_hash\` text not null, \`message_id\` text null, \`size\` integer not null, \`raw\` blob not null, \`state\` text not null default 'stored', \`kind\` text null, \`reasons\` json not null, \`case_id\` integer null, \`case_message_id\` integer null, \`error\` text null, \`attempts\` integer not null default 0, \`received_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`inbound_message_state_index\` on \`inbound_message\` (\`state\`);`);
    this.addSql(`create index \`inbound_message_mailbox_content_hash_index\` on \`inbound_message\` (\`mailbox\`, \`content_hash\`);`);
    this.addSql(`create unique index \`inbound_message_mailbox_uid_validity_uid_unique\` on \`inbound_message\` (\`mailbox\`, \`uid_validity\`, \`uid\`);`);

    this.addSql(`create table \`mailbox_cursor\` (\`id\` integer not null primary key autoincrement, \`mailbox\` text not null, \`uid_validity\` bigint not null, \`last_uid\` bigint not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`mailbox_cursor_mailbox_unique\` on \`mailbox_cursor\` (\`mailbox\`);`);

    this.addSql(`create table \`mue_limit\` (\`id\` integer not null primary key autoincrement, \`release_id\` integer not null, \`code\` text not null, \`value\` integer not null, \`adjudication_indicator\` text not null, \`rationale\` text not null);`);
    this.addSql(`create index \`mue_limit_code_index\` on \`mue_limit\` (\`code\`);`);
    this.addSql(`create unique index \`mue_limit_release_id_code_unique\` on \`mue_limit\` (\`release_id\`, \`code\`);`);

    this.addSql(`create table \`ncci_edit\` (\`id\` integer not null primary key autoincrement, \`release_id\` integer not null, \`column1\` text not null, \`column2\` text not null, \`prior_to1996\` integer not null, \`effective_date\` text not null, \`deletion_date\` text null, \`modifier_indicator\` text not null, \`rationale\` text not null);`);
    this.addSql(`create index \`ncci_edit_release_id_column1_column2_index\` on \`ncci_edit\` (\`release_id\`, \`column1\`, \`column2\`);`);
    this.addSql(`create index \`ncci_edit_release_id_column2_index\` on \`ncci_edit\` (\`release_id\`, \`column2\`);`);

    this.addSql(`create table \`outbox\` (\`id\` integer not null primary key autoincrement, \`dedupe_key\` text not null, \`kind\` text not null, \`case_id\` integer null, \`draft_id\` integer null, \`message_id\` text not null, \`to_address\` text not null, \`subject\` text not null, \`text\` text not null, \`html\` text null, \`in_reply_to\` text null, \`references\` json not null, \`auto_submitted\` integer not null default false, \`state\` text not null default 'queued', \`attempts\` integer not null default 0, \`last_error\` text null, \`smtp_response\` text null, \`bounce_status\` text null, \`bounce_diagnostic\` text null, \`created_at\` datetime not null, \`sent_at\` datetime null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`outbox_dedupe_key_unique\` on \`outbox\` (\`dedupe_key\`);`);
    this.addSql(`create unique index \`outbox_message_id_unique\` on \`outbox\` (\`message_id\`);`);
    this.addSql(`create index \`outbox_state_index\` on \`outbox\` (\`state\`);`);
    this.addSql(`create index \`outbox_to_address_kind_index\` on \`outbox\` (\`to_address\`, \`kind\`);`);

    this.addSql(`create table \`subscriber\` (\`id\` integer not null primary key autoincrement, \`pattern\` text not null, \`plan\` text not null, \`active\` integer not null default true, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`subscriber_pattern_unique\` on \`subscriber\` (\`pattern\`);`);

    this.addSql(`create table \`app_user\` (\`id\` integer not null primary key autoincrement, \`email\` text not null, \`role\` text not null, \`password_hash\` text not null, \`active\` integer not null default true, \`created_at\` datetime not null, \`last_login_at\` datetime null);`);
    this.addSql(`create unique index \`app_user_email_unique\` on \`app_user\` (\`email\`);`);

    this.addSql(`create table \`web_session\` (\`id\` text not null, \`data\` text not null, \`user_id\` integer null, \`expires_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`web_session_expires_at_index\` on \`web_session\` (\`expires_at\`);`);
  }

}
