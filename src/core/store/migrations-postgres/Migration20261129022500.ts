import { Migration } from '@mikro-orm/migrations';

/**
 * What the database itself refuses a reviewer's own psql session (issue 15 review), beyond what
 * Sitter's services check. "The owner" is any role with the table owner's privileges (the owner, a
 * member of it, or a superuser, who could drop the triggers anyway): only the owner maintains the
 * schema, and Sitter itself never updates, deletes or truncates audit rows.
 *
 * - audit_event: no UPDATE, DELETE or TRUNCATE by anyone but the owner. Reviewers keep the UPDATE
 *   privilege, because PostgreSQL grants the chain's append lock (SHARE ROW EXCLUSIVE) only with it;
 *   the trigger refuses the update itself.
 * - decision: a reviewer inserts and changes only rows under their own role, so psql cannot record a
 *   decision as another reviewer nor fake the second half of a two-person confirmation.
 */
export class Migration20261129022500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function "sitter_is_table_owner"(rel oid) returns boolean
  language sql stable as $$
    select pg_has_role(current_user, c.relowner, 'USAGE') from pg_class c where c.oid = rel
  $$;`);
    this.addSql(`create or replace function "sitter_audit_append_only"() returns trigger
  language plpgsql as $$
  begin
    if not "sitter_is_table_owner"(tg_relid) then
      raise exception 'the audit chain is append-only: % on audit_event refused for role %', tg_op, current_user
        using errcode = '42501', hint = 'Only the database owner maintains audit_event.';
    end if;
    if tg_level = 'ROW' and tg_op = 'DELETE' then return old; end if;
    return new;
  end $$;`);
    this.addSql(`create trigger "audit_event_append_only" before update or delete on "audit_event"
  for each row execute function "sitter_audit_append_only"();`);
    this.addSql(`create trigger "audit_event_no_truncate" before truncate on "audit_event"
  for each statement execute function "sitter_audit_append_only"();`);
    this.addSql(`create or replace function "sitter_decision_own_role"() returns trigger
  language plpgsql as $$
  begin
    if not "sitter_is_table_owner"(tg_relid)
       and (new.reviewer is distinct from current_user::text
            or (tg_op = 'UPDATE' and old.reviewer is distinct from current_user::text)) then
      raise exception 'a decision is recorded under the role that makes it: % of a decision by "%" refused for role %',
        tg_op, coalesce(case when tg_op = 'UPDATE' then old.reviewer end, new.reviewer), current_user
        using errcode = '42501', hint = 'Log in as that reviewer''s own role.';
    end if;
    return new;
  end $$;`);
    this.addSql(`create trigger "decision_own_role" before insert or update on "decision"
  for each row execute function "sitter_decision_own_role"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "decision_own_role" on "decision";`);
    this.addSql(`drop trigger if exists "audit_event_no_truncate" on "audit_event";`);
    this.addSql(`drop trigger if exists "audit_event_append_only" on "audit_event";`);
    this.addSql(`drop function if exists "sitter_decision_own_role"();`);
    this.addSql(`drop function if exists "sitter_audit_append_only"();`);
    this.addSql(`drop function if exists "sitter_is_table_owner"(oid);`);
  }
}
