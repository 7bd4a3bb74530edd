import { Migration } from '@mikro-orm/migrations';

/** The key of an NCCI release (see releaseKey in src/codes/releases.ts): effective date, then id. */
const KEY = (r: string) => `(cast(replace(${r}.effective_date, '-', '') as bigint) * 1000000 + ${r}.id)`;

/**
 * NCCI edits stored once per version (valid from_key ≤ key(R) < until_key) instead of once per
 * release. Rows already imported keep their answers: each becomes a version valid in its own
 * release only (until the next NCCI release in chain order).
 */
export class Migration20261202082317_ncci_edit_versions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "ncci_edit" add column "from_key" bigint null, add column "until_key" bigint null;`);
    this.addSql(`update "ncci_edit" e set "from_key" = ${KEY('r')},
      "until_key" = (select min(${KEY('n')}) from code_release n where n.system = 'ncci' and ${KEY('n')} > ${KEY('r')})
      from code_release r where r.id = e.release_id;`);
    this.addSql(`alter table "ncci_edit" alter column "from_key" set not null;`);
    this.addSql(`drop index "ncci_edit_release_id_column1_column2_index";`);
    this.addSql(`drop index "ncci_edit_release_id_column2_index";`);
    this.addSql(`alter table "ncci_edit" drop column "release_id";`);
    this.addSql(`create index "ncci_edit_column1_column2_index" on "ncci_edit" ("column1", "column2");`);
    this.addSql(`create index "ncci_edit_column2_index" on "ncci_edit" ("column2");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "ncci_edit_column1_column2_index";`);
    this.addSql(`drop index "ncci_edit_column2_index";`);
    this.addSql(`alter table "ncci_edit" drop column "from_key", drop column "until_key";`);

    this.addSql(`alter table "ncci_edit" add column "release_id" int4 not null;`);
    this.addSql(`create index "ncci_edit_release_id_column1_column2_index" on "ncci_edit" ("release_id", "column1", "column2");`);
    this.addSql(`create index "ncci_edit_release_id_column2_index" on "ncci_edit" ("release_id", "column2");`);
  }

}
