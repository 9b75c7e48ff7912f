import { SitterError } from '../domain/errors.js';
import { diskFullError } from '../domain/disk-full.js';

/** SQLSTATEs a unit of work is run again for: PostgreSQL rolled it back whole, so trying again is safe. */
export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** The SQLSTATE or errno of an error, looking through MikroORM's and knex's wrappers. */
export function pgCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { cause?: unknown; previous?: unknown }).cause ?? (e as { previous?: unknown }).previous;
  }
  return '';
}

function fail(code: string, message: string, hint: string, cause: unknown): SitterError {
  return new SitterError(code, message, hint, undefined, { cause });
}

/**
 * PostgreSQL failures a user can do something about, told as such (each naming the database as
 * workspace.json records it, never a password); anything else is returned as it was.
 */
export function translatePostgresError(error: unknown, url: string): unknown {
  if (error instanceof SitterError) return error;
  const code = pgCode(error);
  const text = error instanceof Error ? error.message : String(error);
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(code)
  )
    return fail(
      'DATABASE_UNREACHABLE',
      `The team database ${url} cannot be reached (${code}).`,
      'Check that the PostgreSQL server is running and that this machine may connect to it (host, port, ' +
        'firewall, listen_addresses), e.g. with `psql "URL" -c "select 1"`. Nothing was changed.',
      error,
    );
  if (
    /connection timeout|timeout expired|Connection terminated unexpectedly/i.test(text) ||
    ['57P01', '57P03'].includes(code)
  )
    return fail(
      'DATABASE_UNREACHABLE',
      `The team database ${url} did not answer (${code || 'timeout'}).`,
      'The server may be starting, shutting down or overloaded: check it, then run the command again. Nothing was changed.',
      error,
    );
  if (/client password must be a string|password authentication failed.*no password/i.test(text))
    return fail(
      'DATABASE_PASSWORD_MISSING',
      `The team database ${url} asks for a password and none was found.`,
      'Give it through PGPASSWORD, or a ~/.pgpass line `HOST:PORT:DATABASE:USER:PASSWORD` (mode 0600; PGPASSFILE points to another file). Never put it in the URL.',
      error,
    );
  if (code === '28P01')
    return fail(
      'DATABASE_LOGIN_FAILED',
      `The team database ${url} refused the password of its user.`,
      'Check the password PGPASSWORD or ~/.pgpass (PGPASSFILE) gives for this host, port, database and user; ' +
        'the database administrator can reset it with `ALTER ROLE ... PASSWORD`.',
      error,
    );
  if (code === '28000')
    return fail(
      'DATABASE_LOGIN_REFUSED',
      `The team database ${url} refused this login (the role does not exist, or pg_hba.conf does not let it in from here).`,
      'Ask the database administrator to create the role (`CREATE ROLE NAME LOGIN PASSWORD ...`) and to allow it in pg_hba.conf for this machine.',
      error,
    );
  if (code === '3D000')
    return fail(
      'DATABASE_NOT_FOUND',
      `The team database ${url} does not exist on that server.`,
      'Create it first (`createdb -O USER DATABASE`, as the administrator), or check the database name in the URL.',
      error,
    );
  if (code === '42501')
    return fail(
      'DATABASE_PERMISSION_DENIED',
      `The role of ${url} lacks a privilege Sitter needs (${text.replace(/\s+/g, ' ').slice(0, 160)}).`,
      'The first machine needs a role that owns the database (`createdb -O USER DATABASE`, or ' +
        '`GRANT CREATE ON SCHEMA public TO USER`); every other role needs SELECT, INSERT, UPDATE, DELETE on ' +
        'Sitter\'s tables and USAGE on their sequences. See docs/team.md, "Roles".',
      error,
    );
  if (code === '53300')
    return fail(
      'DATABASE_BUSY',
      `The team database ${url} has no free connection (too many clients).`,
      'Wait for other Sitter commands or workers to finish, or raise max_connections on the server.',
      error,
    );
  if (code === '25006')
    return fail(
      'WORKSPACE_READ_ONLY',
      `The team database ${url} accepts only reads from this login: this command needs to write.`,
      'Use a role with write access, or the primary server rather than a read-only replica. Nothing was changed.',
      error,
    );
  if (code === '53100') return diskFullError(`the team database server (${url})`, error);
  if (RETRYABLE_SQLSTATES.has(code))
    return fail(
      'DATABASE_LOCKED',
      `Other Sitter commands kept changing the same records in ${url}: this one gave up after several tries.`,
      'Run the command again; nothing of it was changed.',
      error,
    );
  return error;
}
