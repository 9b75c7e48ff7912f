import { SitterError } from '../domain/errors.js';
import type { TeamDirectory, TeamMember } from '../ports/team.js';

/** Runs one SQL statement with `?` placeholders for its parameters (knex's) and returns its rows. */
export type SqlRunner = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** An identifier as SQL spells it (roles, the database, the schema cannot be bound parameters). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL keeps 63 bytes of an identifier. */
const MAX_IDENT = 63;

/** The reviewer group of a database: roles are server-wide, so the name carries the database's. */
export function reviewerGroupName(database: string): string {
  return `sitter_reviewers_${database}`.slice(0, MAX_IDENT);
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** 42501: this login may not create or grant roles. */
function adminRequired(error: unknown): SitterError {
  return new SitterError(
    'TEAM_ADMIN_REQUIRED',
    'Only the workspace administrator can change who reviews: this database role may not create or grant roles.',
    'Run it logged in as the database owner with CREATEROLE (or as the server superuser): PGUSER=OWNER sitter team ...',
    undefined,
    { cause: error },
  );
}

/**
 * The reviewer group on PostgreSQL. A reviewer needs to read and write Sitter's tables (decisions,
 * faces, the audit chain: appends take a lock that PostgreSQL grants only with UPDATE on the table)
 * and its sequences, not to create or alter anything: migrations stay the owner's. The grants are
 * renewed at every `add-reviewer`, so tables a later migration made are covered too, and default
 * privileges cover those the owner makes from now on.
 */
export async function teamDirectory(run: SqlRunner): Promise<TeamDirectory> {
  const [db] = await run('select current_database() as db, current_schema() as schema');
  const database = String(db!.db);
  const schema = String(db!.schema);
  const group = reviewerGroupName(database);
  const g = quoteIdent(group);
  const s = quoteIdent(schema);

  const exists = async (role: string) => (await run('select 1 from pg_roles where rolname = ?', [role])).length > 0;

  async function grantGroup(): Promise<void> {
    if (!(await exists(group))) await run(`create role ${g} nologin`);
    await run(`grant connect on database ${quoteIdent(database)} to ${g}`);
    await run(`grant usage on schema ${s} to ${g}`);
    await run(`grant select, insert, update, delete on all tables in schema ${s} to ${g}`);
    await run(`grant usage, select on all sequences in schema ${s} to ${g}`);
    await run(`alter default privileges in schema ${s} grant select, insert, update, delete on tables to ${g}`);
    await run(`alter default privileges in schema ${s} grant usage, select on sequences to ${g}`);
  }

  async function admin<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (pgCode(error) === '42501') throw adminRequired(error);
      throw error;
    }
  }

  return {
    group,
    roleExists: exists,
    addReviewer: (role) =>
      admin(async () => {
        await grantGroup();
        await run(`grant ${g} to ${quoteIdent(role)}`);
      }),
    removeReviewer: (role) => admin(async () => void (await run(`revoke ${g} from ${quoteIdent(role)}`))),
    async list(): Promise<TeamMember[]> {
      const rows = await run(
        `select r.rolname as role, r.rolcanlogin as can_login,
                (r.oid = d.datdba) as owner
           from pg_roles r
           join pg_database d on d.datname = current_database()
          where r.oid = d.datdba
             or r.oid in (select m.member from pg_auth_members m join pg_roles gr on gr.oid = m.roleid where gr.rolname = ?)
          order by (r.oid = d.datdba) desc, r.rolname`,
        [group],
      );
      return rows.map((r) => ({
        role: String(r.role),
        kind: r.owner === true ? 'owner' : 'reviewer',
        canLogin: r.can_login === true,
      }));
    },
  };
}
