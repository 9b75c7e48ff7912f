import { createHash } from 'node:crypto';
import { SitterError } from '../domain/errors.js';
import { quoteIdent } from '../domain/sql-identifier.js';
import type { TeamDirectory, TeamMember } from '../ports/team.js';

/** Runs one SQL statement with `?` placeholders for its parameters (knex's) and returns its rows. */
export type SqlRunner = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** PostgreSQL keeps 63 bytes of an identifier. */
const MAX_IDENT = 63;

const GROUP_PREFIX = 'sitter_reviewers_';

/** The longest start of `text` that fits in `bytes` UTF-8 bytes, never cutting a character. */
function fitBytes(text: string, bytes: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/**
 * The reviewer group of a database: roles are server-wide, so the name carries the database's. A name
 * too long for 63 bytes keeps its start and ends with a hash of the whole database name, so two
 * databases whose names share their first 46 bytes never share a group (and its grants).
 */
export function reviewerGroupName(database: string): string {
  const whole = `${GROUP_PREFIX}${database}`;
  if (Buffer.byteLength(whole) <= MAX_IDENT) return whole;
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 12);
  return `${fitBytes(whole, MAX_IDENT - hash.length - 1)}_${hash}`;
}

/** Tables a reviewer reads but never changes: the workspace's identity, the schema's history, the wrapped data keys. */
const READ_MOSTLY: Record<string, string> = {
  workspace_identity: 'insert, update, delete',
  mikro_orm_migrations: 'insert, update, delete',
  // a reviewer's `shoot create` stores its new shoot's wrapped key; destroying one is the owner's
  shoot_key: 'update, delete',
};

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
    for (const [table, privileges] of Object.entries(READ_MOSTLY))
      if ((await run('select to_regclass(?) as t', [`${schema}.${table}`]))[0]?.t)
        await run(`revoke ${privileges} on ${s}.${quoteIdent(table)} from ${g}`);
    await grantQueueSchema(run, group);
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
                (r.oid = d.datdba) as owner,
                (r.rolsuper or r.rolcreaterole) as can_administer
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
        canAdminister: r.can_administer === true,
      }));
    },
  };
}

/** pg-boss's schema (`scan --queue`), beside Sitter's: reviewers run `scan --status` and `worker` too. */
export const QUEUE_SCHEMA = 'pgboss';

/**
 * What pg-boss needs of a reviewer's role on its schema, when the schema exists: USAGE, DML on its
 * tables, its sequences and its functions. Run by `team add-reviewer` and by the `scan --queue` that
 * creates the schema (for a group that exists already); neither creates anything in it.
 */
export async function grantQueueSchema(run: SqlRunner, group = ''): Promise<void> {
  const name = group || reviewerGroupName(String((await run('select current_database() as db'))[0]!.db));
  if ((await run('select 1 from pg_roles where rolname = ?', [name])).length === 0) return;
  if ((await run('select 1 from pg_namespace where nspname = ?', [QUEUE_SCHEMA])).length === 0) return;
  const g = quoteIdent(name);
  const q = quoteIdent(QUEUE_SCHEMA);
  await run(`grant usage on schema ${q} to ${g}`);
  await run(`grant select, insert, update, delete on all tables in schema ${q} to ${g}`);
  await run(`grant usage, select, update on all sequences in schema ${q} to ${g}`);
  await run(`grant execute on all functions in schema ${q} to ${g}`);
}
