import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135548_sender_auth_phi extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`cases\` add column \`hold_reason\` text null;`);
    this.addSql(`alter table \`cases\` add column \`unverified_sender\` integer not null default false;`);

    this.addSql(`alter table \`case_message\` add column \`sender_verdict\` text null;`);
    this.addSql(`alter table \`case_message\` add column \`sender_reasons\` json null;`);
    this.addSql(`alter table \`case_message\` add column \`phi_spans\` json null;`);

    this.addSql(`alter table \`inbound_message\` add column \`sender_verdict\` text null;`);
    this.addSql(`alter table \`inbound_message\` add column \`sender_reasons\` json null;`);
  }

}
