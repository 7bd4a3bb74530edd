import { Migration } from '@mikro-orm/migrations';

export class Migration20261202220311_outbox_kind_created extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index \`outbox_kind_created_at_index\` on \`outbox\` (\`kind\`, \`created_at\`);`);
  }

}
