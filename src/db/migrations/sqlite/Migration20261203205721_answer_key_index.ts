import { Migration } from '@mikro-orm/migrations';
import { backfillAnswerKeyRows } from '../../../drafts/answer-key.entity.ts';

export class Migration20261203205721_answer_key_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`answer_key\` (\`id\` integer not null primary key autoincrement, \`draft_id\` integer not null, \`match_key\` text not null);`);
    this.addSql(`create index \`answer_key_match_key_draft_id_index\` on \`answer_key\` (\`match_key\`, \`draft_id\`);`);
    this.addSql(`create unique index \`answer_key_draft_id_match_key_unique\` on \`answer_key\` (\`draft_id\`, \`match_key\`);`);
    // The answers approved before: indexed now, so the related-cases lookup finds them too.
    const drafts = await this.execute("select id, codes from draft where kind = 'answer' and state in ('approved', 'sent')");
    const rows = backfillAnswerKeyRows(drafts);
    for (let i = 0; i < rows.length; i += 500) this.addSql(this.getKnex().insert(rows.slice(i, i + 500)).into('answer_key'));
  }

}
