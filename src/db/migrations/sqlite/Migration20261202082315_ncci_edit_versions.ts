import { Migration } from '@mikro-orm/migrations';

/** The key of an NCCI release (see releaseKey in src/codes/releases.ts): effective date, then id. */
const KEY = (r: string) => `(cast(replace(${r}.effective_date, '-', '') as integer) * 1000000 + ${r}.id)`;

/**
 * NCCI edits stored once per version (valid from_key ≤ key(R) < until_key) instead of once per
 * release. Rows already imported keep their answers: each becomes a version valid in its own
 * release only (until the next NCCI release in chain order). SQLite cannot add a NOT NULL
 * column without a default, so the table is rebuilt.
 */
export class Migration20261202082315_ncci_edit_versions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`ncci_edit_new\` (\`id\` integer not null primary key autoincrement, \`column1\` text not null, \`column2\` text not null, \`prior_to1996\` integer not null, \`effective_date\` text not null, \`deletion_date\` text null, \`modifier_indicator\` text not null, \`rationale\` text not null, \`from_key\` bigint not null, \`until_key\` bigint null);`);
    this.addSql(`insert into \`ncci_edit_new\` (\`column1\`, \`column2\`, \`prior_to1996\`, \`effective_date\`, \`deletion_date\`, \`modifier_indicator\`, \`rationale\`, \`from_key\`, \`until_key\`)
      select e.column1, e.column2, e.prior_to1996, e.effective_date, e.deletion_date, e.modifier_indicator, e.rationale, ${KEY('r')},
        (select min(${KEY('n')}) from code_release n where n.system = 'ncci' and ${KEY('n')} > ${KEY('r')})
      from \`ncci_edit\` e join code_release r on r.id = e.release_id order by e.id;`);
    this.addSql(`drop table \`ncci_edit\`;`);
    this.addSql(`alter table \`ncci_edit_new\` rename to \`ncci_edit\`;`);
    this.addSql(`create index \`ncci_edit_column1_column2_index\` on \`ncci_edit\` (\`column1\`, \`column2\`);`);
    this.addSql(`create index \`ncci_edit_column2_index\` on \`ncci_edit\` (\`column2\`);`);
  }

}
