import type { Dialect } from '../crypto/columns.ts';

/**
 * Database triggers that make audit_entry append-only below the application too: a chained row
 * can be neither updated nor deleted (nor the table truncated, on PostgreSQL). Rows without a
 * hash stay updatable so chainExistingEntries can adopt them. Someone with the rights to drop a
 * trigger can still edit rows; the hash chain is what detects that.
 *
 * Run the statements in the migration that adds the chain columns, after the adoption. On
 * SQLite a table rebuild by a later migration drops triggers: such a migration must recreate them.
 */
export function appendOnlyTriggerSql(dialect: Dialect): string[] {
  if (dialect === 'postgresql') {
    return [
      `create or replace function audit_entry_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    if old.hash is null then
      return new;
    end if;
  end if;
  raise exception 'audit_entry is append-only (%)', tg_op;
end
$$`,
      `drop trigger if exists audit_entry_append_only on audit_entry`,
      `create trigger audit_entry_append_only before update or delete on audit_entry for each row execute function audit_entry_append_only()`,
      `drop trigger if exists audit_entry_no_truncate on audit_entry`,
      `create trigger audit_entry_no_truncate before truncate on audit_entry for each statement execute function audit_entry_append_only()`,
    ];
  }
  return [
    `create trigger if not exists audit_entry_no_update before update on audit_entry when old.hash is not null begin select raise(abort, 'audit_entry is append-only (UPDATE)'); end`,
    `create trigger if not exists audit_entry_no_delete before delete on audit_entry begin select raise(abort, 'audit_entry is append-only (DELETE)'); end`,
  ];
}
