import { Migration } from '@mikro-orm/migrations';

export class Migration20261203182750_inbound_turn_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index \`inbound_message_mailbox_state_id_index\` on \`inbound_message\` (\`mailbox\`, \`state\`, \`id\`);`);
  }

}
